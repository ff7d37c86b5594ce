/**
 * Small measurements on 16-bit PCM that tests assert on: loudness, silence, the frequency of
 * a tone, and where in a stream the sound is.
 */

/** Root mean square of the samples (0 for none). */
export function rms(samples: Int16Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) {
    const value = samples[i] as number;
    sum += value * value;
  }
  return Math.sqrt(sum / samples.length);
}

/**
 * Whether a frame is silence. Opus decodes digital silence to near-zero values and comfort
 * noise stays far below speech level, so an RMS threshold of 100 (-50 dBFS) separates the two
 * from any tone a test plays (amplitude thousands).
 */
export function isSilent(samples: Int16Array, thresholdRms = 100): boolean {
  return rms(samples) < thresholdRms;
}

/**
 * The frequency of a (near) pure tone in Hz, from the spacing of its rising zero crossings
 * (interpolated between samples). Good to a fraction of a Hz over a few hundred ms of tone.
 */
export function toneFrequencyHz(samples: Int16Array, sampleRate: number): number {
  let first: number | undefined;
  let last: number | undefined;
  let crossings = 0;
  for (let i = 1; i < samples.length; i++) {
    const before = samples[i - 1] as number;
    const after = samples[i] as number;
    if (before < 0 && after >= 0) {
      const at = i - 1 + -before / (after - before);
      first ??= at;
      last = at;
      crossings++;
    }
  }
  if (first === undefined || last === undefined || crossings < 2) return 0;
  return ((crossings - 1) * sampleRate) / (last - first);
}

/** Concatenates sample blocks. */
export function concat(blocks: readonly Int16Array[]): Int16Array {
  const out = new Int16Array(blocks.reduce((total, block) => total + block.length, 0));
  let offset = 0;
  for (const block of blocks) {
    out.set(block, offset);
    offset += block.length;
  }
  return out;
}

/** A sine tone: `durationMs` of `frequencyHz` at `sampleRate`, peak `amplitude`. */
export function tone(frequencyHz: number, durationMs: number, sampleRate: number, amplitude = 8000, startSample = 0): Int16Array {
  const out = new Int16Array(Math.round((durationMs * sampleRate) / 1000));
  for (let i = 0; i < out.length; i++) {
    out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * frequencyHz * (startSample + i)) / sampleRate));
  }
  return out;
}

/**
 * The span of sound in a stream cut into equal frames: the index of the first and last frame
 * that is not silent, or undefined when all are silent.
 */
export function soundSpan(frames: readonly Int16Array[], thresholdRms = 100): { first: number; last: number } | undefined {
  let first: number | undefined;
  let last: number | undefined;
  frames.forEach((frame, index) => {
    if (isSilent(frame, thresholdRms)) return;
    first ??= index;
    last = index;
  });
  return first === undefined || last === undefined ? undefined : { first, last };
}

/**
 * Where the sound is in a stream, to the sample: the first and last sample whose magnitude
 * reaches `threshold`, or undefined in silence. For tones of known amplitude this measures
 * their duration independent of how the stream was cut into frames.
 */
export function soundSampleSpan(samples: Int16Array, threshold = 1000): { first: number; last: number } | undefined {
  let first = -1;
  let last = -1;
  for (let i = 0; i < samples.length; i++) {
    const value = samples[i] as number;
    if (value >= threshold || value <= -threshold) {
      if (first < 0) first = i;
      last = i;
    }
  }
  return first < 0 ? undefined : { first, last };
}
