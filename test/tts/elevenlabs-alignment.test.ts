import { describe, expect, it } from 'vitest';
import { AlignmentWords } from '../../src/tts/elevenlabs/alignment-words.js';
import { PcmBytesDecoder } from '../../src/tts/elevenlabs/pcm-bytes.js';

/** An alignment of `text` starting at `fromMs` within its message, 50 ms a character. */
function alignment(text: string, fromMs = 0) {
  const chars = [...text];
  return { chars, charStartTimesMs: chars.map((_, i) => fromMs + i * 50), charsDurationsMs: chars.map(() => 50) };
}

describe('AlignmentWords', () => {
  it('makes words of the characters, on the session clock given by the offset', () => {
    const words = new AlignmentWords();
    expect(words.add(alignment('Hi there '), 1000)).toEqual([
      { text: 'Hi', startMs: 1000, endMs: 1100 },
      { text: 'there', startMs: 1150, endMs: 1400 },
    ]);
  });

  it('joins a word split across messages, and gives it once whitespace closes it', () => {
    const words = new AlignmentWords();
    expect(words.add(alignment('One wo'), 0)).toEqual([{ text: 'One', startMs: 0, endMs: 150 }]);
    // The next message starts at 300 ms of session audio; its times are relative to it.
    expect(words.add(alignment('rd two'), 300)).toEqual([{ text: 'word', startMs: 200, endMs: 400 }]);
    expect(words.finish()).toEqual([{ text: 'two', startMs: 450, endMs: 600 }]);
    expect(words.finish()).toEqual([]);
  });

  it('closes a word that ends a sentence at the end of its message', () => {
    const words = new AlignmentWords();
    expect(words.add(alignment('Done.'), 0)).toEqual([{ text: 'Done.', startMs: 0, endMs: 250 }]);
  });

  it('reads the SDK spelling charDurationsMs too, and ignores a message without alignment', () => {
    const words = new AlignmentWords();
    const { chars, charStartTimesMs, charsDurationsMs } = alignment('Yes ');
    expect(words.add({ chars, charStartTimesMs, charDurationsMs: charsDurationsMs }, 0)).toEqual([{ text: 'Yes', startMs: 0, endMs: 150 }]);
    expect(words.add(null, 0)).toEqual([]);
    expect(words.add({ chars: ['a'] }, 0)).toEqual([]);
  });
});

describe('PcmBytesDecoder', () => {
  it('keeps a byte split across messages for the next one', () => {
    const samples = Int16Array.of(1, -2, 300, -32768, 32767);
    const bytes = new Uint8Array(samples.buffer);
    const decoder = new PcmBytesDecoder();
    const out = [decoder.decode(bytes.subarray(0, 3)), decoder.decode(bytes.subarray(3, 4)), decoder.decode(bytes.subarray(4))];
    expect(out.map((part) => part.length)).toEqual([1, 1, 3]);
    expect(Int16Array.from(out.flatMap((part) => [...part]))).toEqual(samples);
  });
});
