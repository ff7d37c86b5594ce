/** Shared pieces of the Deepgram tests: reading a stream's events, and pushing PCM as an edge does. */
import type { SttEvent, SttStream } from '../../src/stt/stt.js';

export const RATE = 16_000;
/** Samples in a 20 ms frame at 16 kHz. */
const FRAME = 320;

/** Reads every event of `stream` in the background; `done` settles when its events end. */
export function readEvents(stream: SttStream): { events: SttEvent[]; done: Promise<void> } {
  const events: SttEvent[] = [];
  const done = (async () => {
    for await (const event of stream) events.push(event);
  })();
  return { events, done };
}

/** Pushes `pcm` in 20 ms frames, as an edge delivers audio. */
export function pushFrames(stream: SttStream, ...pieces: Int16Array[]): void {
  for (const pcm of pieces) {
    for (let offset = 0; offset < pcm.length; offset += FRAME) stream.pushAudio(pcm.subarray(offset, offset + FRAME));
  }
}

export function durationMs(pcm: Int16Array): number {
  return (pcm.length * 1000) / RATE;
}

export function ofType<T extends SttEvent['type']>(events: SttEvent[], type: T): Extract<SttEvent, { type: T }>[] {
  return events.filter((event): event is Extract<SttEvent, { type: T }> => event.type === type);
}
