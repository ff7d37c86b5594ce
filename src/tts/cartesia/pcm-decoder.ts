/**
 * Decodes the base64 `pcm_s16le` of Cartesia's `chunk` events into samples. A chunk is not
 * promised to hold whole samples, so an odd trailing byte waits for the next chunk.
 */
export class PcmS16leDecoder {
  #carry: number | undefined;

  decode(base64: string): Int16Array {
    const bytes = Buffer.from(base64, 'base64');
    const carried = this.#carry === undefined ? 0 : 1;
    const total = bytes.length + carried;
    const samples = new Int16Array(Math.floor(total / 2));
    const byteAt = (i: number): number => (carried && i === 0 ? this.#carry! : bytes[i - carried]!);
    for (let s = 0; s < samples.length; s++) {
      const low = byteAt(2 * s);
      const high = byteAt(2 * s + 1);
      samples[s] = ((high << 8) | low) << 16 >> 16;
    }
    this.#carry = total % 2 === 1 ? byteAt(total - 1) : undefined;
    return samples;
  }
}
