/**
 * PCM in and out of the Live API: 16-bit little-endian mono, base64 on the wire.
 *
 * Input is batched: the edge delivers 10 ms frames, and one WebSocket message per 10 ms means
 * 100 JSON messages a second per call. `InputAudioBatcher` copies frames into one preallocated
 * buffer and hands out a base64 chunk each time `chunkMs` of audio has accumulated (40 ms by
 * default: 25 messages a second, and at most 40 ms added before the server's VAD hears it,
 * which is small beside its end-of-speech silence window). Int16Array is little-endian on every
 * platform Node supports in practice (x64, arm64), so its bytes go out as they are.
 */

/** The rate Gemini Live expects for input audio, in Hz. */
export const LIVE_INPUT_SAMPLE_RATE = 16_000;
/** The rate of the audio Gemini Live returns, in Hz. */
export const LIVE_OUTPUT_SAMPLE_RATE = 24_000;
export const LIVE_INPUT_MIME_TYPE = `audio/pcm;rate=${LIVE_INPUT_SAMPLE_RATE}`;

export class InputAudioBatcher {
  readonly #chunk: Buffer;
  #filledBytes = 0;

  constructor(chunkMs: number, sampleRate = LIVE_INPUT_SAMPLE_RATE) {
    const samples = Math.max(1, Math.round((sampleRate * chunkMs) / 1000));
    this.#chunk = Buffer.alloc(samples * 2);
  }

  /** Adds samples; calls `emit` with a base64 chunk for every full chunk (zero or more times). */
  push(samples: Int16Array, emit: (base64: string) => void): void {
    const bytes = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
    let offset = 0;
    while (offset < bytes.length) {
      const take = Math.min(this.#chunk.length - this.#filledBytes, bytes.length - offset);
      this.#chunk.set(bytes.subarray(offset, offset + take), this.#filledBytes);
      this.#filledBytes += take;
      offset += take;
      if (this.#filledBytes === this.#chunk.length) {
        this.#filledBytes = 0;
        emit(this.#chunk.toString('base64'));
      }
    }
  }

  /** Sends a partial chunk now, if there is one (the audio stopped: nothing will fill it). */
  flush(emit: (base64: string) => void): void {
    if (this.#filledBytes === 0) return;
    const filled = this.#chunk.subarray(0, this.#filledBytes);
    this.#filledBytes = 0;
    emit(filled.toString('base64'));
  }

  /** Forgets a partial chunk (after a reconnection: that audio belongs to a dead connection). */
  reset(): void {
    this.#filledBytes = 0;
  }
}

/** Decodes a base64 PCM chunk straight into a fresh, aligned Int16Array (one allocation). */
export function decodePcm16(base64: string): Int16Array {
  const byteLength = Buffer.byteLength(base64, 'base64');
  const samples = new Int16Array(byteLength >> 1);
  Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength).write(base64, 'base64');
  return samples;
}

/** The sample rate named in a mime type such as `audio/pcm;rate=24000`, or `fallback`. */
export function sampleRateOf(mimeType: string | undefined, fallback: number): number {
  const match = /rate=(\d+)/.exec(mimeType ?? '');
  return match ? Number(match[1]) : fallback;
}
