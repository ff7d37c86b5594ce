/**
 * Cutting a language model's streamed text into sentences for text-to-speech, for every TTS
 * provider. A speech service sounds best given whole sentences (it reads the intonation from
 * them) and starts soonest given the first one as soon as it ends, so text deltas are pushed
 * here as they arrive and each sentence comes out the moment its end is certain.
 *
 *   const splitter = new SentenceSplitter();
 *   for await (const delta of llmText) for (const sentence of splitter.push(delta)) speak(sentence);
 *   for (const sentence of splitter.flush()) speak(sentence);
 *
 * A sentence ends at `.`, `!`, `?` or `…` (a run of them, then closing quotes or brackets) once
 * whitespace follows, and at a line break. The whitespace matters: until it arrives, `3.` may
 * still become `3.5` and `example.` may become `example.com`. A full stop after a known
 * abbreviation (`Mr.`, `e.g.`, `approx.`) or a single letter (an initial: `J. Smith`) ends
 * nothing. A sentence shorter than `minLength` is held and joined to the next one, so that the
 * service is never asked to voice a lone "Okay." with no context; a text that runs past
 * `maxLength` without ending is cut after a clause.
 */

export interface SentenceSplitterOptions {
  /** Shortest sentence given out on its own, in characters; shorter ones join the next. Default 20. */
  minLength?: number;
  /**
   * Longest text held waiting for a sentence end, in characters: a run-on text longer than this
   * is cut after its last comma, semicolon, colon or dash (else its last space), so speech does
   * not wait for a sentence that never ends. Default 250.
   */
  maxLength?: number;
}

export const DEFAULT_MIN_SENTENCE_LENGTH = 20;
export const DEFAULT_MAX_SENTENCE_LENGTH = 250;

const TERMINATORS = new Set(['.', '!', '?', '…', '。', '！', '？']);
/** What may follow the terminators and still belong to the sentence: `He said "stop."` */
const CLOSERS = new Set(['"', "'", '”', '’', ')', ']', '}', '»']);
/** Stripped from the front of the word before a full stop when it is looked up: `(approx.` */
const OPENERS = /^["'“‘([{«]+/;

/**
 * Words a full stop follows without ending the sentence (lower case, without the stop). Words
 * that also end sentences as plain words ("No.", "the max.") are left out: a missed end only
 * joins two sentences, a wrong one breaks a sentence's intonation in two.
 */
const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'mx', 'dr', 'prof', 'sr', 'jr', 'st', 'mt', 'ft', 'vs', 'cf', 'approx', 'appt',
  'dept', 'fig', 'figs', 'vol', 'vols', 'ch', 'sec', 'pp',
  'inc', 'ltd', 'co', 'corp', 'gen', 'gov', 'lt', 'col', 'capt', 'sgt', 'rev', 'hon', 'jan', 'feb',
  'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec', 'mon', 'tue', 'wed',
  'thu', 'fri', 'avg', 'tel', 'ext', 'al',
]);
/** Dotted abbreviations seen without their last stop: `e.g`, `i.e`, `U.S`, `a.m`. */
const DOTTED_ABBREVIATION = /^(?:\p{L}\.)+\p{L}$/u;
const SINGLE_LETTER = /^\p{L}$/u;

export class SentenceSplitter {
  readonly minLength: number;
  readonly maxLength: number;
  /** Text pushed and not yet given out. */
  #buffer = '';
  /** Where the next look for a sentence end starts: everything before it was checked already. */
  #scanFrom = 0;

  constructor(options: SentenceSplitterOptions = {}) {
    this.minLength = options.minLength ?? DEFAULT_MIN_SENTENCE_LENGTH;
    this.maxLength = Math.max(this.minLength, options.maxLength ?? DEFAULT_MAX_SENTENCE_LENGTH);
  }

  /** Appends a text delta; returns the sentences it completed, in order (often none). */
  push(text: string): string[] {
    this.#buffer += text;
    return this.#drain(false);
  }

  /**
   * The text ends: returns what is left as sentences, the last one however short (a sentence
   * given out earlier cannot take it back). Ready for new text after.
   */
  flush(): string[] {
    const sentences = this.#drain(true);
    const rest = this.#buffer.trim();
    this.#buffer = '';
    this.#scanFrom = 0;
    if (rest) sentences.push(rest.replace(/\s*\n\s*/g, ' '));
    return sentences;
  }

  /** Drops what was pushed and not given out (the reply was cut). */
  reset(): void {
    this.#buffer = '';
    this.#scanFrom = 0;
  }

  #drain(final: boolean): string[] {
    const sentences: string[] = [];
    for (;;) {
      const end = this.#nextEnd(final) ?? (final ? undefined : this.#forcedEnd());
      if (end === undefined) return sentences;
      const sentence = this.#buffer.slice(0, end).trim();
      if (sentence.length >= this.minLength) {
        sentences.push(sentence.replace(/\s*\n\s*/g, ' '));
        this.#buffer = this.#buffer.slice(end).replace(/^\s+/, '');
        this.#scanFrom = 0;
      } else {
        this.#scanFrom = end;
      }
    }
  }

  /** The index just past the next sentence end at or after #scanFrom, or undefined if none is certain yet. */
  #nextEnd(final: boolean): number | undefined {
    const text = this.#buffer;
    for (let i = this.#scanFrom; i < text.length; i++) {
      const char = text[i] as string;
      if (char === '\n') return i + 1;
      if (!TERMINATORS.has(char)) continue;
      let end = i;
      while (end < text.length && TERMINATORS.has(text[end] as string)) end++;
      while (end < text.length && CLOSERS.has(text[end] as string)) end++;
      if (end === text.length && !final) return undefined;
      const followedBySpace = end === text.length || /\s/.test(text[end] as string);
      const isAbbreviation = end - i === 1 && char === '.' && this.#abbreviationBefore(i);
      if (followedBySpace && !isAbbreviation) return end;
      i = end - 1;
    }
    return undefined;
  }

  /** Where to cut a text grown past maxLength without a sentence end: after a clause, else a word. */
  #forcedEnd(): number | undefined {
    const text = this.#buffer;
    if (text.trim().length < this.maxLength) return undefined;
    let clause: number | undefined;
    let word: number | undefined;
    for (let i = this.minLength; i < text.length - 1; i++) {
      if (!/\s/.test(text[i + 1] as string) || /\s/.test(text[i] as string)) continue;
      word = i + 1;
      if (/[,;:—–]/.test(text[i] as string)) clause = i + 1;
    }
    return clause ?? word;
  }

  /** Whether the word ending at `dot` (exclusive) is one a full stop does not end a sentence after. */
  #abbreviationBefore(dot: number): boolean {
    let start = dot;
    while (start > 0 && !/\s/.test(this.#buffer[start - 1] as string)) start--;
    const word = this.#buffer.slice(start, dot).replace(OPENERS, '');
    if (!word) return false;
    return ABBREVIATIONS.has(word.toLowerCase()) || DOTTED_ABBREVIATION.test(word) || SINGLE_LETTER.test(word);
  }
}
