/**
 * Feeding a VAD stream in tests as a call would: 20 ms frames, waiting for scoring to catch up
 * every half second of audio (as real time would), so nothing is dropped for being pushed faster.
 */
import { concatPcm } from '../../src/audio/index.js';
import type { SileroStream } from '../../src/vad/silero/index.js';
import type { VadEvents } from '../../src/vad/vad.js';

export type RecordedVadEvent = { type: 'speech.started'; atMs: number } | { type: 'speech.ended'; atMs: number; durationMs: number };

/** Collects a stream's speech events, in order. */
export function recordEvents(stream: SileroStream): RecordedVadEvent[] {
  const events: RecordedVadEvent[] = [];
  stream.on('speech.started', (event: VadEvents['speech.started']) => {
    events.push({ type: 'speech.started', ...event });
  });
  stream.on('speech.ended', (event: VadEvents['speech.ended']) => {
    events.push({ type: 'speech.ended', ...event });
  });
  return events;
}

/** Pushes `pcm` in 20 ms frames, lets scoring catch up every 500 ms of audio and at the end. */
export async function feed(stream: SileroStream, pcm: Int16Array): Promise<void> {
  const frame = stream.sampleRate / 50;
  const framesPerCatchUp = 25;
  for (let index = 0, offset = 0; offset < pcm.length; index++, offset += frame) {
    stream.push(pcm.subarray(offset, offset + frame));
    if (index % framesPerCatchUp === framesPerCatchUp - 1) await stream.idle();
  }
  await stream.idle();
}

/** The pieces one after the other. */
export const concat = (...pieces: Int16Array[]): Int16Array => concatPcm(pieces);

/** Where sound begins and ends in `pcm` (first and last sample above a whisper), in ms. */
export function soundSpanMs(pcm: Int16Array, sampleRate: number): { startMs: number; endMs: number } {
  const loud = (sample: number) => Math.abs(sample) > 300;
  const first = pcm.findIndex(loud);
  let last = pcm.length - 1;
  while (last > 0 && !loud(pcm[last] as number)) last--;
  return { startMs: (first / sampleRate) * 1000, endMs: (last / sampleRate) * 1000 };
}

/** Deterministic white noise with peak `amplitude`. */
export function noisePcm(ms: number, sampleRate: number, amplitude: number, seed = 1): Int16Array {
  const out = new Int16Array(Math.round((ms * sampleRate) / 1000));
  let state = seed >>> 0 || 1;
  for (let i = 0; i < out.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = Math.round((((state >>> 0) / 0xffffffff) * 2 - 1) * amplitude);
  }
  return out;
}
