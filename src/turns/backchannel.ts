/**
 * Whether words said over the agent are a backchannel: the listener showing they follow
 * ("mm-hmm", "yeah", "right", "I see", a laugh), not asking for the turn. Such words never cut
 * the agent; anything else ("wait", "no", "stop", a question) does.
 *
 * The text is split into words (punctuation and case ignored) and known phrases are taken off
 * it, longest first; it is a backchannel when nothing is left. So "yeah, right" is one, "yeah
 * but wait" is not, and "I got it wrong" is not ("wrong" is left).
 */

/** Words and phrases of agreement and attention, in the forms speech-to-text services write them. */
export const DEFAULT_BACKCHANNELS: readonly string[] = [
  'mm hmm', 'mhm', 'mm', 'hmm', 'uh huh', 'um hum', 'uh', 'um', 'ah', 'oh', 'ooh', 'wow',
  'yeah', 'yea', 'yes', 'yep', 'yup', 'right', 'okay', 'ok', 'sure', 'alright', 'all right',
  'i see', 'got it', 'i got it', 'exactly', 'true', 'indeed', 'totally', 'absolutely', 'cool', 'nice',
  'great', 'good', 'fine', 'ha', 'haha', 'hah', 'he he', 'hehe', 'makes sense', 'that makes sense',
  'of course', 'go on', 'go ahead', 'uh yeah', 'oh yeah', 'oh okay', 'oh right', 'interesting',
];

export class BackchannelClassifier {
  /** Phrases as word lists, longest first, so "i got it" is taken before "got it". */
  readonly #phrases: string[][];

  constructor(phrases: readonly string[] = DEFAULT_BACKCHANNELS) {
    this.#phrases = phrases
      .map(words)
      .filter((phrase) => phrase.length > 0)
      .sort((a, b) => b.length - a.length);
  }

  /** True when `text` has words and all of them are backchannel phrases. */
  isBackchannel(text: string): boolean {
    const said = words(text);
    return said.length > 0 && this.#unmatched(said) === said.length;
  }

  /**
   * True when `text`, a transcript still being written, could yet become a backchannel: its
   * words so far are backchannel phrases and the start of one ("I" of "I see", "got" of "got
   * it"). An interim transcript like that decides nothing yet.
   */
  mayBecomeBackchannel(text: string): boolean {
    const said = words(text);
    const at = this.#unmatched(said);
    if (at === said.length) return said.length > 0;
    const rest = said.slice(at);
    return this.#phrases.some((phrase) => phrase.length > rest.length && rest.every((word, i) => phrase[i] === word));
  }

  /** How many leading words are backchannel phrases, taken longest first. */
  #unmatched(said: string[]): number {
    let at = 0;
    while (at < said.length) {
      const phrase = this.#phrases.find((candidate) => candidate.every((word, i) => said[at + i] === word));
      if (!phrase) break;
      at += phrase.length;
    }
    return at;
  }
}

/** Lower-case words, hyphens and punctuation dropped ("Mm-hmm." → ["mm", "hmm"]). */
function words(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}'\s-]/gu, ' ')
    .split(/[\s-]+/)
    .map((word) => word.replace(/^'+|'+$/g, ''))
    .filter((word) => word !== '');
}
