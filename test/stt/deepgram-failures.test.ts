/**
 * DeepgramSTT when things go wrong, through the real @deepgram/sdk against the fake: a socket
 * dropped mid-utterance, a refused key, a service that refuses connections for a while, and
 * an aborted stream.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/core/errors.js';
import { DeepgramSTT } from '../../src/stt/deepgram/index.js';
import { FakeDeepgram } from '../../testing/deepgram/index.js';
import { silencePcm, speechPcm } from '../support/speech.js';
import { waitUntil } from '../support/wait.js';
import { durationMs, ofType, pushFrames, RATE, readEvents } from './deepgram-support.js';

const FIRST = 'Good morning everyone.';
const SECOND = 'Let us look at the numbers for this quarter.';
/** Fast reconnects: the tests wait for outcomes, not for pauses. */
const BACKOFF = { initialDelayMs: 20, maxDelayMs: 100 };

let fake: FakeDeepgram;
let first: Int16Array;
let second: Int16Array;
const opened: DeepgramSTT[] = [];

function deepgram(options: Partial<ConstructorParameters<typeof DeepgramSTT>[0]> = {}): DeepgramSTT {
  const stt = new DeepgramSTT({ apiKey: fake.apiKey, baseUrl: fake.baseUrl, reconnectBackoff: BACKOFF, ...options });
  opened.push(stt);
  return stt;
}

beforeAll(async () => {
  fake = await FakeDeepgram.start();
  [first, second] = await Promise.all([speechPcm(FIRST, { sampleRate: RATE, voice: 'en-us+f3' }), speechPcm(SECOND, { sampleRate: RATE, voice: 'en-us+f3' })]);
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((stt) => stt.close()));
  fake.script.utterances = [];
});
afterAll(() => fake.close());

describe('DeepgramSTT failures', () => {
  it('reconnects after a socket drops mid-utterance, replays what no final covered, and keeps the times continuous', async () => {
    const endpointingMs = 300;
    const firstEndMs = 200 + durationMs(first);
    const secondStartMs = firstEndMs + 600;
    const secondEndMs = secondStartMs + durationMs(second);
    fake.script.utterances = [
      { text: FIRST, startMs: 200, endMs: firstEndMs },
      { text: SECOND, startMs: secondStartMs, endMs: secondEndMs },
    ];
    const before = fake.connections.length;
    const stream = deepgram({ endpointingMs }).stream({ sampleRate: RATE });
    const { events } = readEvents(stream);
    const half = Math.floor(second.length / 2);
    pushFrames(stream, silencePcm(200, RATE), first, silencePcm(600, RATE), second.subarray(0, half));
    await waitUntil(() => ofType(events, 'transcript.final').length === 1 && events.at(-1)?.type === 'transcript.interim', 'the first final, then an interim of the second phrase');

    // The first final covers the session's audio up to firstEndMs + endpointing: the next socket
    // begins there, so on its own clock the second phrase starts that much earlier.
    const replayFromMs = firstEndMs + endpointingMs;
    fake.script.utterances = [{ text: SECOND, startMs: secondStartMs - replayFromMs, endMs: secondEndMs - replayFromMs }];
    const dropped = fake.connections[before]!;
    dropped.drop();
    pushFrames(stream, second.subarray(half), silencePcm(1500, RATE)); // pushed while reconnecting: buffered
    await waitUntil(() => ofType(events, 'transcript.final').length === 2, 'the second final');

    expect(fake.connections).toHaveLength(before + 2);
    const replacement = fake.connections[before + 1]!;
    const pushedBytes = silencePcm(200, RATE).byteLength + first.byteLength + silencePcm(600, RATE).byteLength + second.byteLength + silencePcm(1500, RATE).byteLength;
    // The service gives times in seconds to 1 ms: the replay starts at the sample of that millisecond.
    const replayFromByte = Math.round(replayFromMs) * (RATE / 1000) * 2;
    await waitUntil(() => replacement.bytesReceived === pushedBytes - replayFromByte, () => `the replacement to receive everything after ${replayFromMs} ms (it has ${replacement.bytesReceived} of ${pushedBytes - replayFromByte} bytes)`);
    // What the new socket heard first is exactly the session's audio from there.
    const session = Buffer.concat([Buffer.from(silencePcm(200, RATE).buffer), Buffer.from(first.buffer, first.byteOffset, first.byteLength), Buffer.from(silencePcm(600, RATE).buffer), Buffer.from(second.buffer, second.byteOffset, second.byteLength)]);
    expect(Buffer.concat(replacement.audio).subarray(0, session.length - replayFromByte).equals(session.subarray(replayFromByte))).toBe(true);

    const finals = ofType(events, 'transcript.final');
    expect(finals.map((final) => final.text)).toEqual([FIRST, SECOND]);
    // Times on the session's clock, as if the socket had never dropped (the fake rounds to 1 ms).
    expect(Math.abs(finals[1]!.words![0]!.startMs - secondStartMs)).toBeLessThanOrEqual(1);
    expect(finals[1]!.words!.at(-1)!.endMs).toBeLessThanOrEqual(Math.round(secondEndMs) + 1);
    expect(finals[1]!.words!.at(-1)!.endMs).toBeGreaterThan(secondEndMs - 100);
    expect(Math.abs(finals[1]!.startMs! - replayFromMs)).toBeLessThanOrEqual(1);
    // The replacement hears the second phrase begin again; it was reported once.
    expect(replacement.sent.filter((message) => message.type === 'SpeechStarted')).toHaveLength(1);
    expect(ofType(events, 'speech.started').map((event) => event.atMs)).toEqual([200, Math.round(secondStartMs)]);
    await waitUntil(() => ofType(events, 'utterance.ended').length === 2, 'both utterances to end');
    expect(ofType(events, 'error')).toEqual([]);
  });

  it('ends with a non-retryable ProviderError naming 401 when the key is refused, without retrying', async () => {
    const refusedBefore = fake.refused.length;
    const before = fake.connections.length;
    const stream = deepgram({ apiKey: 'not-the-key' }).stream({ sampleRate: RATE });
    const { events, done } = readEvents(stream);
    stream.pushAudio(silencePcm(100, RATE));
    await done;
    expect(events).toHaveLength(1);
    const [event] = ofType(events, 'error');
    expect(event!.error).toBeInstanceOf(ProviderError);
    const error = event!.error as ProviderError;
    expect(error.retryable).toBe(false);
    expect(error.status).toBe(401);
    expect(error.provider).toBe('deepgram');
    expect(error.message).toContain('401');
    expect(error.message).not.toContain('not-the-key');
    expect(fake.refused.slice(refusedBefore)).toEqual([{ status: 401, path: '/v1/listen' }]);
    expect(fake.connections).toHaveLength(before);
  });

  it('ends with a non-retryable error, without reconnecting, when the service closes for unusable audio (1008)', async () => {
    const before = fake.connections.length;
    const stream = deepgram().stream({ sampleRate: RATE });
    const { events, done } = readEvents(stream);
    stream.pushAudio(silencePcm(100, RATE));
    const connection = await fake.waitFor(() => fake.connections[before]?.bytesReceived && fake.connections[before], { what: 'audio at the fake' });
    connection.close(1008, 'DATA-0000: The payload cannot be decoded as audio.');
    await done;
    const [event] = ofType(events, 'error');
    expect(event!.error).toMatchObject({ retryable: false, provider: 'deepgram' });
    expect(event!.error.message).toContain('1008');
    expect(fake.connections).toHaveLength(before + 1);
  });

  it('retries a service that refuses connections with 503, then transcribes', async () => {
    fake.script.utterances = [{ text: FIRST, startMs: 100, endMs: 100 + durationMs(first) }];
    const refusedBefore = fake.refused.length;
    fake.refuseNext(2, 503);
    const stream = deepgram().stream({ sampleRate: RATE });
    const { events, done } = readEvents(stream);
    pushFrames(stream, silencePcm(100, RATE), first);
    stream.end();
    await done;
    expect(fake.refused.slice(refusedBefore).map((refusal) => refusal.status)).toEqual([503, 503]);
    expect(ofType(events, 'transcript.final').map((final) => final.text)).toEqual([FIRST]);
    expect(ofType(events, 'error')).toEqual([]);
  });

  it('gives up with a retryable error once the reconnects run out', async () => {
    const refusedBefore = fake.refused.length;
    fake.refuseNext(3, 503);
    const stream = deepgram({ maxReconnectAttempts: 2 }).stream({ sampleRate: RATE });
    const { events, done } = readEvents(stream);
    await done;
    expect(fake.refused.length - refusedBefore).toBe(3);
    const [event] = ofType(events, 'error');
    expect(event!.error).toMatchObject({ retryable: true, status: 503, provider: 'deepgram' });
    fake.refuseNext(0, 503);
  });

  it('closes at once when its signal aborts: the events end, the socket closes, no CloseStream', async () => {
    fake.script.utterances = [{ text: SECOND, startMs: 0, endMs: durationMs(second) }];
    const before = fake.connections.length;
    const controller = new AbortController();
    const stream = deepgram().stream({ sampleRate: RATE, signal: controller.signal });
    const { events, done } = readEvents(stream);
    pushFrames(stream, second.subarray(0, Math.floor(second.length / 2)));
    await waitUntil(() => ofType(events, 'transcript.interim').length > 0, 'an interim transcript');
    const connection = fake.connections[before]!;
    controller.abort();
    await done;
    await waitUntil(() => !connection.open, 'the socket to close');
    expect(connection.closeStreams).toBe(0);
    expect(connection.closedBy).toBe('client');
    expect(ofType(events, 'transcript.final')).toEqual([]);
    stream.pushAudio(silencePcm(100, RATE)); // after close: ignored, never throws
    stream.flush();
    stream.end();
    await stream.close();
    expect(fake.connections).toHaveLength(before + 1);

    const aborted = deepgram().stream({ sampleRate: RATE, signal: AbortSignal.abort() });
    const late = readEvents(aborted);
    await late.done;
    expect(late.events).toEqual([]);
    expect(fake.connections).toHaveLength(before + 1);
  });
});
