import { describe, expect, it } from 'vitest';
import { heardText } from '../../src/turns/index.js';

describe('heardText', () => {
  const text = 'Once upon a time there was a fox.';

  it('keeps the words that began within the share of the audio that played', () => {
    expect(heardText(text, 350, 1_000)).toBe('Once upon a');
    expect(heardText(text, 20, 1_000)).toBe('Once');
    expect(heardText(text, 1_000, 1_000)).toBe(text);
  });

  it('keeps nothing when nothing played, and everything when the length is unknown', () => {
    expect(heardText(text, 0, 1_000)).toBe('');
    expect(heardText(text, 300, 0)).toBe(text);
  });
});
