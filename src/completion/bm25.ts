/**
 * Okapi BM25, the classic lexical relevance ranking: small enough to own, and what dataset
 * retrieval needs without an embedding model. Scores are per index (IDF depends on the
 * documents), so compare them within one index.
 */

/** Very common English words carry no relevance signal. */
const STOP_WORDS = new Set(
  'a an and are as at be but by for from has have i if in is it its of on or so that the their them they this to was we were what when where which who will with you your'.split(
    ' ',
  ),
);

/** Lower-cased words and numbers of any script, without stop words. */
export function tokenize(text: string): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.filter((word) => !STOP_WORDS.has(word));
}

export interface Bm25Options {
  /** Term-frequency saturation; default 1.2. */
  k1?: number;
  /** Length normalisation; default 0.75. */
  b?: number;
}

export class Bm25Index {
  readonly #termFrequencies: Array<Map<string, number>>;
  readonly #lengths: number[];
  readonly #documentFrequency = new Map<string, number>();
  readonly #averageLength: number;
  readonly #k1: number;
  readonly #b: number;

  constructor(documents: readonly string[], options: Bm25Options = {}) {
    this.#k1 = options.k1 ?? 1.2;
    this.#b = options.b ?? 0.75;
    this.#termFrequencies = documents.map((document) => {
      const frequencies = new Map<string, number>();
      for (const term of tokenize(document)) frequencies.set(term, (frequencies.get(term) ?? 0) + 1);
      for (const term of frequencies.keys()) this.#documentFrequency.set(term, (this.#documentFrequency.get(term) ?? 0) + 1);
      return frequencies;
    });
    this.#lengths = this.#termFrequencies.map((frequencies) => [...frequencies.values()].reduce((sum, count) => sum + count, 0));
    const total = this.#lengths.reduce((sum, length) => sum + length, 0);
    this.#averageLength = documents.length > 0 ? total / documents.length || 1 : 1;
  }

  get size(): number {
    return this.#lengths.length;
  }

  /** Documents with a positive score for `query`, best first, at most `limit`. */
  search(query: string, limit = 10): Array<{ index: number; score: number }> {
    const terms = [...new Set(tokenize(query))];
    const count = this.#lengths.length;
    const results: Array<{ index: number; score: number }> = [];
    for (let index = 0; index < count; index++) {
      const frequencies = this.#termFrequencies[index]!;
      const length = this.#lengths[index]!;
      let score = 0;
      for (const term of terms) {
        const frequency = frequencies.get(term);
        if (!frequency) continue;
        const documents = this.#documentFrequency.get(term) ?? 0;
        // The "+1" form of IDF stays positive even for terms in most documents.
        const idf = Math.log(1 + (count - documents + 0.5) / (documents + 0.5));
        score += (idf * frequency * (this.#k1 + 1)) / (frequency + this.#k1 * (1 - this.#b + (this.#b * length) / this.#averageLength));
      }
      if (score > 0) results.push({ index, score });
    }
    return results.sort((a, b) => b.score - a.score || a.index - b.index).slice(0, limit);
  }
}
