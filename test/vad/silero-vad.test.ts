/**
 * SileroVAD on real speech (espeak-ng) and on sounds that are not speech. Event times are
 * checked against where the sound is in the pushed audio, in stream time, never wall-clock.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { SileroVAD } from '../../src/vad/silero/index.js';
import { silencePcm, speechPcm } from '../support/speech.js';
import { concat, feed, noisePcm, recordEvents, soundSpanMs } from './vad-feed.js';

const SENTENCE = 'Hello, what is the weather like in Amsterdam today?';
const VOICE = 'en-us+f3';

const vad = new SileroVAD();

beforeAll(async () => {
  await vad.load();
}, 20_000);

describe.each([16_000, 48_000])('SileroVAD at %i Hz', (sampleRate) => {
  it('hears one stretch of speech in silence, dated where the sentence is', async () => {
    const sentence = await speechPcm(SENTENCE, { sampleRate, voice: VOICE });
    const { startMs, endMs } = soundSpanMs(sentence, sampleRate);
    const leadMs = 1000;
    const stream = vad.stream({ sampleRate });
    const events = recordEvents(stream);

    await feed(stream, concat(silencePcm(leadMs, sampleRate), sentence, silencePcm(1500, sampleRate)));

    expect(events.map((event) => event.type)).toEqual(['speech.started', 'speech.ended']);
    const [started, ended] = events;
    if (started?.type !== 'speech.started' || ended?.type !== 'speech.ended') throw new Error('unreachable: the types were checked');
    expect(started.atMs).toBeGreaterThan(leadMs + startMs - 200);
    expect(started.atMs).toBeLessThan(leadMs + startMs + 250);
    expect(ended.atMs).toBeGreaterThan(leadMs + endMs - 300);
    expect(ended.atMs).toBeLessThan(leadMs + endMs + 300);
    expect(ended.durationMs).toBe(ended.atMs - started.atMs);
    expect(stream.speaking).toBe(false);
    expect(stream.droppedWindows).toBe(0);
    stream.close();
  });
});

describe('SileroVAD on what is not speech', () => {
  it('hears nothing in pure silence', async () => {
    const stream = vad.stream({ sampleRate: 48_000 });
    const events = recordEvents(stream);
    await feed(stream, silencePcm(3000, 48_000));
    expect(stream.scoredWindows).toBeGreaterThan(80);
    expect(events).toEqual([]);
    stream.close();
  });

  it('hears nothing in a steady low noise', async () => {
    const stream = vad.stream({ sampleRate: 48_000 });
    const events = recordEvents(stream);
    await feed(stream, noisePcm(3000, 48_000, 400));
    expect(events).toEqual([]);
    expect(stream.probability).toBeLessThan(0.5);
    stream.close();
  });

  it('hears nothing in a 20 ms click, even one the model scores as speech', async () => {
    const sampleRate = 48_000;
    // 20 ms cut out of a vowel: the model scores its window above 0.5, so only the minimum
    // speech duration keeps it from counting; a burst of white noise scores far lower.
    const speech = await speechPcm(SENTENCE, { sampleRate, voice: VOICE });
    const click = speech.slice(0.4 * sampleRate, 0.42 * sampleRate);
    const audio = concat(silencePcm(1000, sampleRate), click, silencePcm(500, sampleRate), noisePcm(20, sampleRate, 20_000, 7), silencePcm(1000, sampleRate));
    const stream = vad.stream({ sampleRate });
    const events = recordEvents(stream);
    await feed(stream, audio);
    expect(events).toEqual([]);
    stream.close();

    const eager = new SileroVAD({ minSpeechMs: 0 });
    const eagerStream = eager.stream({ sampleRate });
    const eagerEvents = recordEvents(eagerStream);
    await feed(eagerStream, audio);
    expect(eagerEvents.map((event) => event.type)).toEqual(['speech.started', 'speech.ended']);
    await eager.close();
  });
});

describe('SileroVAD on two utterances', () => {
  it('hears two when a second of silence separates them', async () => {
    const sampleRate = 16_000;
    const first = await speechPcm('Good morning.', { sampleRate, voice: VOICE });
    const second = await speechPcm('Can you book a table for two?', { sampleRate, voice: VOICE });
    const stream = vad.stream({ sampleRate });
    const events = recordEvents(stream);
    const secondAtMs = 500 + (first.length / sampleRate) * 1000 + 1000;

    await feed(stream, concat(silencePcm(500, sampleRate), first, silencePcm(1000, sampleRate), second, silencePcm(1000, sampleRate)));

    expect(events.map((event) => event.type)).toEqual(['speech.started', 'speech.ended', 'speech.started', 'speech.ended']);
    const secondStart = secondAtMs + soundSpanMs(second, sampleRate).startMs;
    expect(events[2]!.atMs).toBeGreaterThan(secondStart - 200);
    expect(events[2]!.atMs).toBeLessThan(secondStart + 250);
    stream.close();
  });
});
