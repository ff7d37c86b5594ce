import { describe, expect, it } from 'vitest';
import { SentenceSplitter } from '../../src/tts/sentences.js';

/** Pushes `text` in deltas of `size` characters; returns what each push gave and what flush gave. */
function split(text: string, size: number, minLength = 1): { pushed: string[]; flushed: string[] } {
  const splitter = new SentenceSplitter({ minLength });
  const pushed: string[] = [];
  for (let i = 0; i < text.length; i += size) pushed.push(...splitter.push(text.slice(i, i + size)));
  return { pushed, flushed: splitter.flush() };
}

function all(text: string, size = 3, minLength = 1): string[] {
  const { pushed, flushed } = split(text, size, minLength);
  return [...pushed, ...flushed];
}

describe('SentenceSplitter', () => {
  it('gives each sentence out as soon as the whitespace after its end arrives', () => {
    const splitter = new SentenceSplitter({ minLength: 1 });
    expect(splitter.push('Hello there')).toEqual([]);
    expect(splitter.push('.')).toEqual([]);
    expect(splitter.push(' How')).toEqual(['Hello there.']);
    expect(splitter.push(' are you? I am')).toEqual(['How are you?']);
    expect(splitter.flush()).toEqual(['I am']);
  });

  it('cuts at ., !, ?, … and line breaks, the same for any delta size', () => {
    const text = 'First one. Second one! Third one? Fourth one… Fifth line\nSixth line\n\nSeventh.';
    const expected = ['First one.', 'Second one!', 'Third one?', 'Fourth one…', 'Fifth line', 'Sixth line', 'Seventh.'];
    for (const size of [1, 2, 5, 17, text.length]) expect(all(text, size)).toEqual(expected);
  });

  it('keeps runs of terminators and closing quotes with their sentence', () => {
    expect(all('Really?! Yes... He said "stop." (Then left.) Done.')).toEqual([
      'Really?!',
      'Yes...',
      'He said "stop."',
      '(Then left.)',
      'Done.',
    ]);
  });

  it('does not cut after abbreviations, initials, decimals or inside URLs and e-mail addresses', () => {
    const text =
      'Mr. Smith met Dr. Jones, e.g. at 3.5 p.m. yesterday. See https://example.com/a.b?x=1.2 for it. ' +
      'J. R. R. Tolkien wrote it, i.e. the book. Mail me at a.b@example.org now. It costs approx. 4.99 dollars.';
    expect(all(text, 4)).toEqual([
      'Mr. Smith met Dr. Jones, e.g. at 3.5 p.m. yesterday.',
      'See https://example.com/a.b?x=1.2 for it.',
      'J. R. R. Tolkien wrote it, i.e. the book.',
      'Mail me at a.b@example.org now.',
      'It costs approx. 4.99 dollars.',
    ]);
  });

  it('holds a full stop at the end of the pushed text until it knows what follows', () => {
    const splitter = new SentenceSplitter({ minLength: 1 });
    expect(splitter.push('Pi is 3.')).toEqual([]);
    expect(splitter.push('14 roughly. Visit example.')).toEqual(['Pi is 3.14 roughly.']);
    expect(splitter.push('com today. ')).toEqual(['Visit example.com today.']);
  });

  it('joins sentences shorter than the minimum length to the next one', () => {
    const text = 'Okay. Sure! Here is the plan for today. Yes. No. That is all for now, thanks.';
    expect(all(text, 3, 20)).toEqual(['Okay. Sure! Here is the plan for today.', 'Yes. No. That is all for now, thanks.']);
  });

  it('gives the short rest out on flush, however short', () => {
    expect(split('This sentence is long enough. Bye.', 3, 20)).toEqual({ pushed: ['This sentence is long enough.'], flushed: ['Bye.'] });
    expect(split('Short. Unfinished', 3, 20)).toEqual({ pushed: [], flushed: ['Short. Unfinished'] });
    expect(all('Hi.', 1, 20)).toEqual(['Hi.']);
    expect(all('  ', 1, 20)).toEqual([]);
  });

  it('cuts a run-on text past the maximum length after its last clause, else its last word', () => {
    const clause = 'one two three four five, six seven eight nine ten eleven twelve';
    const splitter = new SentenceSplitter({ minLength: 5, maxLength: 40 });
    const out = [...splitter.push(clause), ...splitter.push(' thirteen')];
    expect(out).toEqual(['one two three four five,', 'six seven eight nine ten eleven twelve']);
    expect(splitter.flush()).toEqual(['thirteen']);
    const words = new SentenceSplitter({ minLength: 5, maxLength: 30 });
    // The last word may still be growing: everything before it goes.
    expect(words.push('alpha beta gamma delta epsilon zeta eta')).toEqual(['alpha beta gamma delta epsilon zeta']);
    expect(words.flush()).toEqual(['eta']);
  });

  it('starts afresh after flush and after reset', () => {
    const splitter = new SentenceSplitter({ minLength: 1 });
    splitter.push('Dropped part');
    splitter.reset();
    expect(splitter.push('Kept one. ')).toEqual(['Kept one.']);
    expect(splitter.flush()).toEqual([]);
    expect(splitter.push('Next turn. ')).toEqual(['Next turn.']);
  });
});
