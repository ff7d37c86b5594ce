/** Test signals and measurements for the audio tests (and bench/audio-resample.ts). */
import { concatPcm } from '../../src/audio/index.js';

/** A sine tone of `frequencyHz` at `amplitude` (Int16 units), `durationMs` long. */
export function tone(frequencyHz: number, sampleRate: number, durationMs: number, amplitude = 10_000): Int16Array {
  const length = Math.round((sampleRate * durationMs) / 1000);
  const samples = new Int16Array(length);
  for (let i = 0; i < length; i++) samples[i] = Math.round(amplitude * Math.sin((2 * Math.PI * frequencyHz * i) / sampleRate));
  return samples;
}

/** Root mean square of `samples[from, to)`. */
export function rms(samples: ArrayLike<number>, from = 0, to = samples.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += (samples[i] as number) ** 2;
  return Math.sqrt(sum / Math.max(1, to - from));
}

/** 20·log10(a / b). */
export function ratioDb(a: number, b: number): number {
  return 20 * Math.log10(a / b);
}

/**
 * Amplitude of the `frequencyHz` component of `samples[from, to)` (a single DFT bin, so other
 * frequencies barely count when the span holds many periods).
 */
export function toneAmplitude(samples: ArrayLike<number>, frequencyHz: number, sampleRate: number, from = 0, to = samples.length): number {
  let re = 0;
  let im = 0;
  const w = (2 * Math.PI * frequencyHz) / sampleRate;
  for (let i = from; i < to; i++) {
    const x = samples[i] as number;
    re += x * Math.cos(w * i);
    im -= x * Math.sin(w * i);
  }
  return (2 * Math.hypot(re, im)) / (to - from);
}

/** The frequency of a pure tone, from rising zero crossings interpolated between samples. */
export function zeroCrossingFrequency(samples: ArrayLike<number>, sampleRate: number, from = 0, to = samples.length): number {
  let first = -1;
  let last = -1;
  let crossings = 0;
  for (let i = from + 1; i < to; i++) {
    const a = samples[i - 1] as number;
    const b = samples[i] as number;
    if (a < 0 && b >= 0) {
      const at = i - 1 + -a / (b - a);
      if (first < 0) first = at;
      else crossings++;
      last = at;
    }
  }
  return crossings > 0 ? (crossings * sampleRate) / (last - first) : 0;
}

/** Cuts `samples` into consecutive chunks of the given sizes, cycling through them. */
export function chunked(samples: Int16Array, sizes: number[]): Int16Array[] {
  const chunks: Int16Array[] = [];
  let offset = 0;
  for (let i = 0; offset < samples.length; i++) {
    const size = sizes[i % sizes.length] as number;
    chunks.push(samples.subarray(offset, offset + size));
    offset += size;
  }
  return chunks;
}

/** Concatenates Int16 chunks. */
export const concat = (chunks: Int16Array[]): Int16Array => concatPcm(chunks);
