import { describe, expect, it } from 'vitest';
import { splitIntoChunks } from '../../src/conversation/stream/index.js';
import { markdownReply } from './text.js';

describe('splitIntoChunks', () => {
  it('keeps short text whole', () => {
    expect(splitIntoChunks('hello')).toEqual(['hello']);
    expect(splitIntoChunks('')).toEqual(['']);
  });

  it('splits at most maxChars and concatenates back to the exact text', () => {
    const text = markdownReply(5000);
    const chunks = splitIntoChunks(text, 1000);
    expect(chunks.join('')).toBe(text);
    expect(chunks.every((chunk) => chunk.length <= 1000)).toBe(true);
    expect(chunks.length).toBeGreaterThanOrEqual(5);
  });

  it('prefers a paragraph break, then a line break', () => {
    const text = `${'a'.repeat(300)}\n\n${'b'.repeat(400)}\n${'c'.repeat(500)}`;
    expect(splitIntoChunks(text, 800)[0]).toBe(`${'a'.repeat(300)}\n\n${'b'.repeat(400)}\n`);
    const noParagraph = `${'a'.repeat(300)}\n${'b'.repeat(400)} ${'c'.repeat(500)}`;
    expect(splitIntoChunks(noParagraph, 800)[0]).toBe(`${'a'.repeat(300)}\n`);
  });

  it('does not split inside a code fence when a split outside is possible', () => {
    const code = '```js\n' + Array.from({ length: 30 }, (_, i) => `line(${i});`).join('\n') + '\n```\n';
    const text = `${'intro '.repeat(20)}\n\n${code}after`;
    const [first] = splitIntoChunks(text, code.length + 50);
    expect(first).toBe(`${'intro '.repeat(20)}\n\n`);
  });

  it('splits a fence that is longer than a chunk at a line break', () => {
    const code = '```\n' + Array.from({ length: 200 }, (_, i) => `x${i}`).join('\n') + '\n```';
    const chunks = splitIntoChunks(code, 100);
    expect(chunks.join('')).toBe(code);
    expect(chunks.slice(0, -1).every((chunk) => chunk.endsWith('\n'))).toBe(true);
  });

  it('cuts hard when there is no break at all, never inside a surrogate pair', () => {
    const text = '😀'.repeat(60);
    const chunks = splitIntoChunks(text, 25);
    expect(chunks.join('')).toBe(text);
    expect(chunks.every((chunk) => !/[\uD800-\uDBFF]$/.test(chunk))).toBe(true);
  });

  it('keeps full chunks stable while the text grows', () => {
    const text = markdownReply(4000, 7);
    let previous: string[] = [];
    for (let length = 1; length <= text.length; length += 37) {
      const chunks = splitIntoChunks(text.slice(0, length), 1000);
      for (let i = 0; i < previous.length - 1; i++) expect(chunks[i]).toBe(previous[i]);
      previous = chunks;
    }
  });

  it('rejects a bad chunk size', () => {
    expect(() => splitIntoChunks('x', 0)).toThrow(/maxChars/);
  });
});
