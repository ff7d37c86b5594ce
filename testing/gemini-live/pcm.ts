/** PCM test signals for the fake Live server and the tests that talk to it. */

/** A sine tone of `durationMs` at `sampleRate`: 16-bit mono, amplitude 8 000. */
export function tone(durationMs: number, sampleRate: number, frequencyHz = 440): Int16Array {
  const samples = new Int16Array(Math.round((sampleRate * durationMs) / 1000));
  for (let i = 0; i < samples.length; i++) {
    samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * frequencyHz * i) / sampleRate));
  }
  return samples;
}

/** Little-endian bytes of the samples, base64 (what the Live API carries). */
export function pcmToBase64(samples: Int16Array): string {
  return Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength).toString('base64');
}

/** Milliseconds of 16-bit mono PCM in `byteLength` bytes at `sampleRate`. */
export function pcmDurationMs(byteLength: number, sampleRate: number): number {
  return (byteLength / 2 / sampleRate) * 1000;
}
