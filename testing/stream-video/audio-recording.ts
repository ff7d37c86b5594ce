/**
 * What one participant published, as the fake SFU received it: decoded 10 ms frames with the
 * time each arrived. Frames are kept at 48 kHz mono (wrtc delivers the first few at 16 kHz;
 * those are stretched here) so a test can index the stream by sample.
 */
import { concat } from './audio-analysis.js';

export const RECORDING_SAMPLE_RATE = 48_000;

export interface RecordedFrame {
  /** `performance.now()` when the frame left the fake's RTCAudioSink. */
  receivedAtMs: number;
  /** 48 kHz mono. */
  samples: Int16Array;
}

export class AudioRecording {
  readonly frames: RecordedFrame[] = [];
  readonly #waiters = new Set<() => void>();

  /** Adds a frame from an RTCAudioSink `ondata` (any rate the sink reports, any channel count). */
  push(data: { samples: Int16Array; sampleRate: number; channelCount?: number }): void {
    const mono = downmix(data.samples, data.channelCount ?? 1);
    const samples = data.sampleRate === RECORDING_SAMPLE_RATE ? mono : stretch(mono, data.sampleRate, RECORDING_SAMPLE_RATE);
    this.frames.push({ receivedAtMs: performance.now(), samples });
    for (const wake of [...this.#waiters]) wake();
  }

  /** All samples since frame `fromFrame`, as one 48 kHz block. */
  samples(fromFrame = 0): Int16Array {
    return concat(this.frames.slice(fromFrame).map((frame) => frame.samples));
  }

  /** Resolves once `predicate` holds for the recording (checked on every new frame). */
  waitFor(predicate: (recording: AudioRecording) => boolean, timeoutMs = 10_000, what = 'recorded audio'): Promise<void> {
    if (predicate(this)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!predicate(this)) return;
        done();
        resolve();
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${this.frames.length} frames recorded)`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
    });
  }
}

function downmix(samples: Int16Array, channels: number): Int16Array {
  if (channels === 1) return samples.slice();
  const out = new Int16Array(Math.floor(samples.length / channels));
  for (let i = 0; i < out.length; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += samples[i * channels + c] as number;
    out[i] = Math.round(sum / channels);
  }
  return out;
}

/** Linear interpolation: good enough for a test fixture that measures tones and silence. */
export function stretch(samples: Int16Array, fromRate: number, toRate: number): Int16Array {
  const out = new Int16Array(Math.round((samples.length * toRate) / fromRate));
  const step = fromRate / toRate;
  for (let i = 0; i < out.length; i++) {
    const position = i * step;
    const index = Math.floor(position);
    const a = samples[index] ?? 0;
    const b = samples[index + 1] ?? a;
    out[i] = Math.round(a + (b - a) * (position - index));
  }
  return out;
}
