import { describe, expect, it } from 'vitest';
import { PcmS16leDecoder } from '../../src/tts/cartesia/pcm-decoder.js';
import { WordTimings } from '../../src/tts/cartesia/word-timings.js';

function base64Of(bytes: number[]): string {
  return Buffer.from(bytes).toString('base64');
}

describe('PcmS16leDecoder', () => {
  it('reads little-endian signed samples, carrying an odd byte into the next chunk', () => {
    const decoder = new PcmS16leDecoder();
    // 1, -2, 32767, -32768 as little-endian bytes, cut after an odd number of bytes.
    const bytes = [0x01, 0x00, 0xfe, 0xff, 0xff, 0x7f, 0x00, 0x80];
    expect([...decoder.decode(base64Of(bytes.slice(0, 3)))]).toEqual([1]);
    expect([...decoder.decode(base64Of(bytes.slice(3, 4)))]).toEqual([-2]);
    expect([...decoder.decode(base64Of(bytes.slice(4, 7)))]).toEqual([32767]);
    expect([...decoder.decode(base64Of(bytes.slice(7)))]).toEqual([-32768]);
  });
});

describe('WordTimings', () => {
  it('gives each word to the first chunk that reaches its start, in ms', () => {
    const timings = new WordTimings();
    timings.add({ words: ['Hi', 'there'], start: [0, 0.18], end: [0.12, 0.48] });
    expect(timings.takeStartingBefore(100)).toEqual([{ text: 'Hi', startMs: 0, endMs: 120 }]);
    expect(timings.takeStartingBefore(180)).toBeUndefined();
    expect(timings.takeStartingBefore(200)).toEqual([{ text: 'there', startMs: 180, endMs: 480 }]);
  });

  it('puts words whose audio came before their timestamps on the next chunk, and the rest at the end', () => {
    const timings = new WordTimings();
    // The audio up to 400 ms was yielded before these timestamps arrived.
    timings.add({ words: ['late', 'words', 'later'], start: [0.1, 0.3, 0.9], end: [0.25, 0.45, 1.2] });
    expect(timings.takeStartingBefore(440)?.map((w) => w.text)).toEqual(['late', 'words']);
    expect(timings.takeAll()?.map((w) => w.text)).toEqual(['later']);
    expect(timings.takeAll()).toBeUndefined();
  });
});
