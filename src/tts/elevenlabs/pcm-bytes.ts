/**
 * Base64 messages of little-endian 16-bit PCM as samples. A message is not promised to end on a
 * sample boundary, so a byte left over is kept for the next one instead of being read as half a
 * sample (which would shift every later sample by a byte: loud noise).
 */
export class PcmBytesDecoder {
  #oddByte: number | undefined;

  decode(bytes: Uint8Array): Int16Array {
    let data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (this.#oddByte !== undefined) {
      data = Buffer.concat([Buffer.of(this.#oddByte), data]);
      this.#oddByte = undefined;
    }
    if (data.length % 2 === 1) {
      this.#oddByte = data[data.length - 1];
      data = data.subarray(0, data.length - 1);
    }
    const samples = new Int16Array(data.length / 2);
    for (let i = 0; i < samples.length; i++) samples[i] = data.readInt16LE(i * 2);
    return samples;
  }
}
