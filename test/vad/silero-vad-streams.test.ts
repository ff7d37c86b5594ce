/**
 * SileroVAD's streams: one model shared by many streams, each with a state of its own; close();
 * the backlog bound; options and a model that will not load; the add-on loads on first use.
 */
import { describe, expect, it } from 'vitest';
import { ProviderError, ValidationError } from '../../src/core/errors.js';
import { SileroVAD } from '../../src/vad/silero/index.js';
import type { VadEvents } from '../../src/vad/vad.js';
import { describeRun, runScript } from '../support/child-script.js';
import { silencePcm, speechPcm } from '../support/speech.js';
import { waitFor } from '../support/wait.js';
import { concat, feed, recordEvents } from './vad-feed.js';

const SAMPLE_RATE = 48_000;
const FRAME = SAMPLE_RATE / 50;

async function sentenceInSilence(): Promise<Int16Array> {
  const sentence = await speechPcm('Hello, what is the weather like in Amsterdam today?', { sampleRate: SAMPLE_RATE, voice: 'en-us+f3' });
  return concat(silencePcm(1000, SAMPLE_RATE), sentence, silencePcm(1000, SAMPLE_RATE));
}

describe('SileroVAD streams', () => {
  it('share one model and keep their own state: interleaved speech and silence do not mix', async () => {
    const audio = await sentenceInSilence();
    const vad = new SileroVAD();
    // The same audio alone, for reference.
    const alone = vad.stream({ sampleRate: SAMPLE_RATE });
    const aloneEvents = recordEvents(alone);
    await feed(alone, audio);

    const talker = vad.stream({ sampleRate: SAMPLE_RATE });
    const listener = vad.stream({ sampleRate: SAMPLE_RATE });
    const talkerEvents = recordEvents(talker);
    const listenerEvents = recordEvents(listener);
    const quiet = new Int16Array(FRAME);
    let listenerPeak = 0;
    for (let offset = 0, index = 0; offset < audio.length; offset += FRAME, index++) {
      talker.push(audio.subarray(offset, offset + FRAME));
      listener.push(quiet);
      if (index % 10 === 9) {
        await Promise.all([talker.idle(), listener.idle()]);
        listenerPeak = Math.max(listenerPeak, listener.probability);
      }
    }
    await Promise.all([talker.idle(), listener.idle()]);

    expect(aloneEvents.map((event) => event.type)).toEqual(['speech.started', 'speech.ended']);
    expect(talkerEvents).toEqual(aloneEvents);
    expect(listenerEvents).toEqual([]);
    expect(listenerPeak).toBeLessThan(0.1);
    expect(talker.scoredWindows).toBe(listener.scoredWindows);
    await vad.close();
  });

  it('stop on close(): no more scoring and no events, even in the middle of speech', async () => {
    const audio = await sentenceInSilence();
    const vad = new SileroVAD();
    const stream = vad.stream({ sampleRate: SAMPLE_RATE });
    const events = recordEvents(stream);
    await feed(stream, audio.subarray(0, 2 * SAMPLE_RATE)); // one second into the sentence
    expect(stream.speaking).toBe(true);
    const scored = stream.scoredWindows;

    stream.push(audio.subarray(2 * SAMPLE_RATE)); // queued, then dropped by close()
    stream.close();
    stream.close(); // idempotent
    stream.push(audio);
    await stream.idle();

    expect(events.map((event) => event.type)).toEqual(['speech.started']);
    expect(stream.scoredWindows).toBe(scored);
    await vad.close();
  });

  it('are all closed by the VAD, which opens no more', async () => {
    const vad = new SileroVAD();
    const streams = [vad.stream({ sampleRate: 16_000 }), vad.stream({ sampleRate: 48_000 })];
    await vad.close();
    for (const stream of streams) {
      stream.push(new Int16Array(16_000));
      await stream.idle();
      expect(stream.scoredWindows).toBe(0);
    }
    expect(() => vad.stream({ sampleRate: 16_000 })).toThrow(/closed/);
  });

  it('drop the oldest audio, counted, when pushed far faster than it is scored', async () => {
    const vad = new SileroVAD({ maxBacklogMs: 320 });
    const stream = vad.stream({ sampleRate: 16_000 });
    stream.push(new Int16Array(16_000 * 3)); // 93 windows at once; at most 10 wait
    await stream.idle();
    expect(stream.droppedWindows).toBeGreaterThanOrEqual(93 - 11);
    expect(stream.scoredWindows + stream.droppedWindows).toBe(93);
    await vad.close();
  });
});

describe('SileroVAD options and failures', () => {
  it('rejects bad options with a ValidationError naming them', () => {
    expect(() => new SileroVAD({ activationThreshold: 1.5 })).toThrow(ValidationError);
    expect(() => new SileroVAD({ activationThreshold: 0.4, deactivationThreshold: 0.6 })).toThrow(/deactivationThreshold/);
    expect(() => new SileroVAD({ minSilenceMs: -1 })).toThrow(/minSilenceMs/);
    expect(() => new SileroVAD().stream({ sampleRate: 44.1 })).toThrow(/sampleRate/);
  });

  it('reports a model that will not load as a ProviderError: from load(), and as a stream error', async () => {
    const vad = new SileroVAD({ modelPath: '/nonexistent/silero_vad.onnx' });
    await expect(vad.load()).rejects.toBeInstanceOf(ProviderError);
    const stream = vad.stream({ sampleRate: 16_000 });
    const errors: VadEvents['error'][] = [];
    stream.on('error', (event) => {
      errors.push(event);
    });
    stream.push(new Int16Array(1024));
    const { error } = await waitFor(() => errors[0], 'the stream to report the model that did not load');
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).code).toBe('VAD_MODEL_LOAD');
    expect((error as ProviderError).retryable).toBe(false);
    await vad.close();
  });

  it('loads onnxruntime-node on first use, not on import or when a stream opens', async () => {
    const run = await runScript('test/vad/fixtures/import-silero.ts', { deadlineMs: 25_000 });
    expect(run.code, describeRun(run)).toBe(0);
    const stages = run.output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { stage: string; onnxRuntimeMapped: boolean });
    expect(stages).toEqual([
      { stage: 'imported', onnxRuntimeMapped: false },
      { stage: 'loaded', onnxRuntimeMapped: true },
    ]);
  }, 30_000);
});
