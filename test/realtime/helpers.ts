/** Shared setup for the realtime tests: a fake Live server and a model pointed at it. */
import { GeminiRealtime, type GeminiRealtimeOptions } from '../../src/llm/gemini/realtime.js';
import type { GeminiRealtimeSession } from '../../src/llm/gemini/realtime-session.js';
import type { RealtimeEvents } from '../../src/llm/realtime.js';
import { FakeGeminiLive, tone } from '../../testing/gemini-live/index.js';

export function modelFor(fake: FakeGeminiLive, options: Partial<GeminiRealtimeOptions> = {}): GeminiRealtime {
  return new GeminiRealtime({
    apiKey: fake.apiKey,
    baseUrl: fake.baseUrl,
    model: 'gemini-live-test',
    voice: 'Kore',
    // Fast retries: the tests exercise the policy, not the wall-clock delays.
    reconnectBaseDelayMs: 5,
    reconnectMaxDelayMs: 20,
    connectTimeoutMs: 5_000,
    ...options,
  });
}

export type RecordedEvent = { [K in keyof RealtimeEvents]: { name: K; payload: RealtimeEvents[K] } }[keyof RealtimeEvents];

/** Records every event of a session in order. */
export function record(session: GeminiRealtimeSession): RecordedEvent[] {
  const events: RecordedEvent[] = [];
  const names: (keyof RealtimeEvents)[] = [
    'user.speech.started',
    'input.transcript',
    'user.speech.ended',
    'input.transcript.done',
    'response.started',
    'audio',
    'output.transcript',
    'interrupted',
    'playback.pause',
    'playback.resume',
    'turn.complete',
    'tool.call',
    'tool.result',
    'usage',
    'reconnecting',
    'reconnected',
    'error',
    'closed',
  ];
  for (const name of names) session.on(name, (payload) => void events.push({ name, payload } as RecordedEvent));
  return events;
}

export function payloadsOf<K extends keyof RealtimeEvents>(events: RecordedEvent[], name: K): RealtimeEvents[K][] {
  return events.filter((event) => event.name === name).map((event) => event.payload as RealtimeEvents[K]);
}

/** Streams `durationMs` of 16 kHz tone in 10 ms frames, as the edge would (without pacing). */
export function speak(session: GeminiRealtimeSession, durationMs: number): void {
  const frame = tone(10, 16_000);
  for (let sent = 0; sent < durationMs; sent += 10) session.sendAudio(frame, 16_000);
}
