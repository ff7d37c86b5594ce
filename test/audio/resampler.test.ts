import { describe, expect, it } from 'vitest';
import { AgentsError, ValidationError } from '../../src/core/errors.js';
import { createResampler } from '../../src/audio/resampler.js';
import { chunked, concat, ratioDb, rms, tone, toneAmplitude, zeroCrossingFrequency } from './signals.js';

/** Whole-stream conversion: every chunk through process(), then flush(). */
function convert(fromRate: number, toRate: number, chunks: Int16Array[]): Int16Array {
  const resampler = createResampler(fromRate, toRate);
  const out = chunks.map((chunk) => resampler.process(chunk));
  out.push(resampler.flush());
  resampler.close();
  return concat(out);
}

/** The steady middle of a signal (skips the edges, where the filter sees the stream start/end). */
function middle(length: number, sampleRate: number): [number, number] {
  const edge = Math.round(sampleRate * 0.05);
  return [edge, length - edge];
}

const PAIRS: Array<[number, number]> = [
  [48_000, 16_000],
  [24_000, 48_000],
  [16_000, 48_000],
  [48_000, 24_000],
  [24_000, 16_000],
];

describe('createResampler', () => {
  it('keeps a 1 kHz tone at its frequency and level through 48k→16k', () => {
    const input = tone(1000, 48_000, 500, 10_000);
    const output = convert(48_000, 16_000, chunked(input, [480]));
    const [from, to] = middle(output.length, 16_000);

    expect(zeroCrossingFrequency(output, 16_000, from, to)).toBeCloseTo(1000, 0);
    const levelDb = ratioDb(toneAmplitude(output, 1000, 16_000, from, to), 10_000);
    expect(Math.abs(levelDb)).toBeLessThan(1);
  });

  it('attenuates a 10 kHz tone by at least 40 dB through 48k→16k (no aliasing to 6 kHz)', () => {
    const input = tone(10_000, 48_000, 500, 10_000);
    const output = convert(48_000, 16_000, chunked(input, [480]));
    const [from, to] = middle(output.length, 16_000);

    expect(ratioDb(rms(output, from, to), rms(input))).toBeLessThan(-40);
    expect(ratioDb(toneAmplitude(output, 6000, 16_000, from, to), 10_000)).toBeLessThan(-40);
  });

  it('keeps a tone at its frequency and level through 24k→48k, and suppresses its image', () => {
    for (const frequency of [1000, 5000]) {
      const input = tone(frequency, 24_000, 400, 10_000);
      const output = convert(24_000, 48_000, chunked(input, [960]));
      const [from, to] = middle(output.length, 48_000);

      expect(zeroCrossingFrequency(output, 48_000, from, to)).toBeCloseTo(frequency, 0);
      expect(Math.abs(ratioDb(toneAmplitude(output, frequency, 48_000, from, to), 10_000))).toBeLessThan(1);
      // Upsampling by zero-stuffing would leave an image at 24 kHz − f.
      expect(ratioDb(toneAmplitude(output, 24_000 - frequency, 48_000, from, to), 10_000)).toBeLessThan(-40);
    }
  });

  it.each(PAIRS)('keeps a 1 kHz tone within 1 dB through %i → %i', (fromRate, toRate) => {
    const output = convert(fromRate, toRate, [tone(1000, fromRate, 300, 8000)]);
    const [from, to] = middle(output.length, toRate);
    expect(Math.abs(ratioDb(toneAmplitude(output, 1000, toRate, from, to), 8000))).toBeLessThan(1);
    expect(zeroCrossingFrequency(output, toRate, from, to)).toBeCloseTo(1000, 0);
  });

  it.each(PAIRS)('gives identical output for one chunk and for many odd-sized chunks (%i → %i)', (fromRate, toRate) => {
    const input = concat([tone(440, fromRate, 170, 9000), tone(3000, fromRate, 130, 5000)]);
    const whole = convert(fromRate, toRate, [input]);
    const pieces = convert(fromRate, toRate, chunked(input, [1, 7, 480, 0, 13, 999, 2, 160, 3]));

    expect(pieces).toEqual(whole);
    expect(whole.length).toBe(Math.ceil((input.length * toRate) / fromRate));
  });

  it('is time-aligned: an impulse at 48 kHz sample 3000 peaks at 16 kHz sample 1000', () => {
    const input = new Int16Array(6000);
    input[3000] = 30_000;
    const output = convert(48_000, 16_000, chunked(input, [480]));
    let peak = 0;
    for (let i = 1; i < output.length; i++) if (Math.abs(output[i] as number) > Math.abs(output[peak] as number)) peak = i;
    expect(peak).toBe(1000);
  });

  it('keeps a constant signal exactly constant (no ripple between filter phases)', () => {
    const output = convert(24_000, 48_000, [new Int16Array(2400).fill(1000)]);
    const [from, to] = middle(output.length, 48_000);
    for (let i = from; i < to; i++) expect(Math.abs((output[i] as number) - 1000)).toBeLessThanOrEqual(1);
  });

  it('clamps overshoot of a full-scale square wave instead of wrapping around', () => {
    const input = new Int16Array(4800).map((_, i) => (Math.floor(i / 24) % 2 === 0 ? 32767 : -32768));
    const output = convert(48_000, 16_000, [input]);
    expect(Math.max(...output)).toBe(32767);
    expect(Math.min(...output)).toBe(-32768);
    for (let i = 1; i < output.length; i++) expect(Math.abs((output[i] as number) - (output[i - 1] as number))).toBeLessThan(50_000);
  });

  it('passes equal rates through as a copy', () => {
    const resampler = createResampler(48_000, 48_000);
    const input = tone(1000, 48_000, 10);
    const output = resampler.process(input);
    expect(output).toEqual(input);
    expect(output).not.toBe(input);
    expect(resampler.flush()).toHaveLength(0);
    expect(resampler.latencyMs).toBe(0);
  });

  it('forgets history on reset(), so the next stream matches a fresh resampler', () => {
    const input = tone(700, 24_000, 100);
    const used = createResampler(24_000, 16_000);
    used.process(tone(3000, 24_000, 37));
    used.reset();
    const fresh = createResampler(24_000, 16_000);
    expect(concat([used.process(input), used.flush()])).toEqual(concat([fresh.process(input), fresh.flush()]));
  });

  it('rejects bad rates and bad input with a ValidationError, and a rejected chunk changes nothing', () => {
    expect(() => createResampler(0, 16_000)).toThrow(ValidationError);
    expect(() => createResampler(48_000, 16_000.5)).toThrow(ValidationError);
    expect(() => createResampler(48_000, 1_000_000)).toThrow(ValidationError);
    // A valid rate but a ratio of 3200 filter phases: refused rather than building a huge table.
    expect(() => createResampler(12_345, 48_000)).toThrow(/phases/);

    const input = tone(1000, 48_000, 60);
    const resampler = createResampler(48_000, 16_000);
    const first = resampler.process(input.subarray(0, 1000));
    expect(() => resampler.process(new Float32Array(480) as unknown as Int16Array)).toThrow(ValidationError);
    expect(() => resampler.process([1, 2, 3] as unknown as Int16Array)).toThrow(/Int16Array/);
    const rest = concat([resampler.process(input.subarray(1000)), resampler.flush()]);
    expect(concat([first, rest])).toEqual(convert(48_000, 16_000, [input]));
  });

  it('throws a CLOSED error after close(), which is idempotent', () => {
    const resampler = createResampler(48_000, 16_000);
    resampler.close();
    resampler.close();
    expect(() => resampler.process(new Int16Array(480))).toThrow(AgentsError);
    expect(() => resampler.flush()).toThrow(/closed/);
  });

  it('reports its latency', () => {
    const latencyMs = createResampler(48_000, 16_000).latencyMs;
    expect(latencyMs).toBeGreaterThan(0);
    expect(latencyMs).toBeLessThan(5);
  });
});
