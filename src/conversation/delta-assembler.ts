/**
 * Puts a message's streaming deltas back in order. Delta n is applied only once 0..n-1 have
 * been; earlier duplicates are dropped. Deltas without an index are appended as they come.
 */
export class DeltaAssembler {
  #nextIndex = 0;
  #waiting: Map<number, string> | undefined;

  /** Returns the text that can be appended now (possibly several deltas, possibly none). */
  accept(text: string, index: number | undefined): string {
    if (index === undefined) return text;
    if (index < this.#nextIndex) return '';
    if (index > this.#nextIndex) {
      (this.#waiting ??= new Map()).set(index, text);
      return '';
    }
    this.#nextIndex++;
    if (!this.#waiting || this.#waiting.size === 0) return text;
    let ready = text;
    for (let next = this.#waiting.get(this.#nextIndex); next !== undefined; next = this.#waiting.get(this.#nextIndex)) {
      this.#waiting.delete(this.#nextIndex);
      this.#nextIndex++;
      ready += next;
    }
    return ready;
  }

  /**
   * The deltas still waiting behind a gap, in index order. Used when the message completes:
   * the gap will never be filled, and dropping what did arrive would lose more.
   */
  drain(): string {
    if (!this.#waiting || this.#waiting.size === 0) return '';
    const indices = [...this.#waiting.keys()].sort((a, b) => a - b);
    const text = indices.map((index) => this.#waiting!.get(index)).join('');
    this.#waiting.clear();
    this.#nextIndex = (indices.at(-1) ?? this.#nextIndex) + 1;
    return text;
  }

  /**
   * A replacement was applied. With an index it stands for every delta up to that index: those
   * still waiting are dropped and later ones become applicable. Without one, the counters stay.
   * Returns waiting text that has become applicable.
   */
  replaced(index: number | undefined): string {
    if (index === undefined || index < this.#nextIndex) return '';
    for (const waiting of this.#waiting?.keys() ?? []) if (waiting <= index) this.#waiting!.delete(waiting);
    this.#nextIndex = index;
    return this.accept('', index);
  }
}
