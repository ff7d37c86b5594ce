/**
 * DeepgramSTT through the real @deepgram/sdk against the fake live server: what reaches the
 * service (query, auth, audio, KeepAlive, Finalize, CloseStream) and the events that come back.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeepgramSTT } from '../../src/stt/deepgram/index.js';
import { FakeDeepgram } from '../../testing/deepgram/index.js';
import { silencePcm, speechPcm } from '../support/speech.js';
import { waitUntil } from '../support/wait.js';
import { durationMs, ofType, pushFrames, RATE, readEvents } from './deepgram-support.js';

const TEXT = 'Hello there, how are you today?';

let fake: FakeDeepgram;
let speech: Int16Array;
const opened: DeepgramSTT[] = [];

/** The socket opened after the first `before`, once it received audio. */
function socketWithAudio(before: number) {
  return fake.waitFor(() => fake.connections[before]?.bytesReceived && fake.connections[before], { what: 'audio at a new socket' });
}

function deepgram(options: Partial<ConstructorParameters<typeof DeepgramSTT>[0]> = {}): DeepgramSTT {
  const stt = new DeepgramSTT({ apiKey: fake.apiKey, baseUrl: fake.baseUrl, ...options });
  opened.push(stt);
  return stt;
}

beforeAll(async () => {
  fake = await FakeDeepgram.start();
  speech = await speechPcm(TEXT, { sampleRate: RATE, voice: 'en-us+f3' });
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((stt) => stt.close()));
  fake.script.utterances = [];
});
afterAll(() => fake.close());

describe('DeepgramSTT', () => {
  it('turns an utterance into speech start, interim results, a final with word times, and one utterance end', async () => {
    const speechMs = durationMs(speech);
    fake.script.utterances = [{ text: TEXT, startMs: 300, endMs: 300 + speechMs }];
    const stream = deepgram().stream({ sampleRate: RATE });
    const { events } = readEvents(stream);
    pushFrames(stream, silencePcm(300, RATE), speech, silencePcm(1500, RATE));

    await waitUntil(() => ofType(events, 'utterance.ended').length > 0, 'the utterance to end');
    // UtteranceEnd follows speech_final here; the utterance still ends once.
    const connection = fake.latest!;
    await fake.waitFor(() => connection.sent.some((message) => message.type === 'UtteranceEnd'), { what: 'UtteranceEnd' });
    stream.end();
    await waitUntil(() => !connection.open, 'the socket to close');

    const kinds = events.map((event) => event.type);
    expect(kinds[0]).toBe('speech.started');
    expect(kinds.indexOf('transcript.interim')).toBeGreaterThan(0);
    expect(kinds.indexOf('transcript.final')).toBeGreaterThan(kinds.lastIndexOf('transcript.interim'));
    expect(kinds.indexOf('utterance.ended')).toBeGreaterThan(kinds.indexOf('transcript.final'));
    expect(ofType(events, 'utterance.ended')).toHaveLength(1);

    expect(ofType(events, 'speech.started')[0]!.atMs).toBe(300);
    const interims = ofType(events, 'transcript.interim');
    expect(TEXT.startsWith(interims[0]!.text)).toBe(true);
    const [final] = ofType(events, 'transcript.final');
    expect(final!.text).toBe(TEXT);
    expect(final!.confidence).toBeGreaterThan(0.9);
    expect(final!.words!.map((word) => word.text)).toEqual(TEXT.split(' '));
    expect(final!.words![0]!.startMs).toBe(300);
    expect(final!.words!.at(-1)!.endMs).toBeLessThanOrEqual(Math.round(300 + speechMs));
    expect(final!.words!.at(-1)!.endMs).toBeGreaterThan(300 + speechMs - 100);
    expect(final!.startMs).toBe(0);
    expect(final!.endMs).toBe(Math.round(300 + speechMs + 300)); // endpointing: 300 ms of silence after the last word
    expect(ofType(events, 'utterance.ended')[0]!.atMs).toBe(final!.words!.at(-1)!.endMs);
  });

  it('ends the utterance on UtteranceEnd when endpointing is off', async () => {
    const speechMs = durationMs(speech);
    fake.script.utterances = [{ text: TEXT, startMs: 300, endMs: 300 + speechMs }];
    const before = fake.connections.length;
    const stream = deepgram({ endpointingMs: false }).stream({ sampleRate: RATE });
    const { events } = readEvents(stream);
    pushFrames(stream, silencePcm(300, RATE), speech, silencePcm(1500, RATE));

    await waitUntil(() => ofType(events, 'utterance.ended').length > 0, 'the utterance to end');
    const connection = fake.connections[before]!;
    expect(connection.query.get('endpointing')).toBe('false');
    const final = connection.sent.find((message) => message.type === 'Results' && message.is_final === true && message.speech_final === false);
    expect(final).toBeDefined();
    const [ended] = ofType(events, 'utterance.ended');
    expect(ended!.atMs).toBe(ofType(events, 'transcript.final')[0]!.words!.at(-1)!.endMs);
    expect(events.map((event) => event.type).indexOf('utterance.ended')).toBeGreaterThan(events.map((event) => event.type).indexOf('transcript.final'));
  });

  it('opens the socket with the model, language and options as query parameters, and the key as a Token header', async () => {
    const before = fake.connections.length;
    const stream = deepgram({ model: 'nova-2', language: 'de', endpointingMs: 500, utteranceEndMs: 1500, smartFormat: false }).stream({ sampleRate: 24_000, language: 'fr' });
    stream.pushAudio(silencePcm(100, 24_000));
    const connection = await socketWithAudio(before);
    expect(connection.authScheme).toBe('header');
    expect(connection.key).toBe(fake.apiKey);
    expect(Object.fromEntries(connection.query)).toMatchObject({
      model: 'nova-2',
      language: 'fr',
      encoding: 'linear16',
      sample_rate: '24000',
      channels: '1',
      interim_results: 'true',
      endpointing: '500',
      utterance_end_ms: '1500',
      vad_events: 'true',
      smart_format: 'false',
    });
    expect(connection.bytesReceived).toBe(silencePcm(100, 24_000).byteLength);
    await stream.close();

    // An http:// base URL (as a configuration may hold) reaches the same socket.
    const defaults = deepgram({ language: 'en-GB', baseUrl: fake.baseUrl.replace('ws:', 'http:') }).stream({ sampleRate: RATE });
    defaults.pushAudio(silencePcm(20, RATE));
    const second = await socketWithAudio(before + 1);
    expect(second.query.get('model')).toBe('nova-3');
    expect(second.query.get('language')).toBe('en-GB');
    expect(second.query.get('endpointing')).toBe('300');
    expect(second.query.get('utterance_end_ms')).toBe('1000');
  });

  it('keeps an idle socket alive with KeepAlive messages', async () => {
    fake.script.idleTimeoutMs = 1_000;
    try {
      const before = fake.connections.length;
      const stream = deepgram({ keepAliveMs: 100 }).stream({ sampleRate: RATE });
      stream.pushAudio(silencePcm(100, RATE));
      const connection = await socketWithAudio(before);
      // The fake closes a socket idle for 1 s, as the service does after about 10 s: ten keepalives 100 ms apart outlast that.
      await fake.waitFor(() => connection.keepAlives >= 10, { what: 'ten KeepAlive messages' });
      expect(connection.open).toBe(true);
      expect(connection.unknownMessages).toEqual([]);
      await stream.close();
    } finally {
      fake.script.idleTimeoutMs = 10_000;
    }
  });

  it('sends Finalize on flush and gives the words heard so far as a final', async () => {
    fake.script.utterances = [{ text: TEXT, startMs: 200, endMs: 200 + durationMs(speech) }];
    const before = fake.connections.length;
    const stream = deepgram().stream({ sampleRate: RATE });
    const { events } = readEvents(stream);
    // No silence after the speech: the service's endpointing cannot end it; only Finalize can.
    pushFrames(stream, silencePcm(200, RATE), speech);
    const connection = await fake.waitFor(() => fake.connections[before]?.bytesReceived === silencePcm(200, RATE).byteLength + speech.byteLength && fake.connections[before], {
      what: 'all the audio at the fake',
    });
    expect(ofType(events, 'transcript.final')).toEqual([]);
    stream.flush();
    await waitUntil(() => ofType(events, 'transcript.final').length > 0, 'a final transcript');
    expect(connection.finalizes).toBe(1);
    expect(ofType(events, 'transcript.final')[0]!.text).toBe(TEXT);
    expect(connection.open).toBe(true);
  });

  it('sends CloseStream on end, and the events end after the last final', async () => {
    fake.script.utterances = [{ text: TEXT, startMs: 200, endMs: 200 + durationMs(speech) }];
    const before = fake.connections.length;
    const stream = deepgram().stream({ sampleRate: RATE });
    const { events, done } = readEvents(stream);
    pushFrames(stream, silencePcm(200, RATE), speech);
    stream.end();
    stream.pushAudio(silencePcm(100, RATE)); // after end(): ignored
    await done;
    expect(fake.connections).toHaveLength(before + 1);
    const connection = fake.connections[before]!;
    expect(connection.closeStreams).toBe(1);
    expect(connection.bytesReceived).toBe(silencePcm(200, RATE).byteLength + speech.byteLength);
    expect(connection.sent.at(-1)?.type).toBe('Metadata');
    expect(events.at(-1)).toMatchObject({ type: 'transcript.final', text: TEXT });
    expect(ofType(events, 'error')).toEqual([]);
  });
});
