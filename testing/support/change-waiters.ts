/**
 * Waiting on a fake's state: a fake calls `changed()` whenever it records something, and each
 * `waitFor` re-checks its condition then, instead of polling; it fails after its deadline
 * saying what it waited for.
 */
export class ChangeWaiters {
  readonly #owner: string;
  readonly #defaultTimeoutMs: number;
  readonly #checks = new Set<() => void>();

  /** `owner` names the fake in a timeout's message. */
  constructor(owner: string, defaultTimeoutMs = 10_000) {
    this.#owner = owner;
    this.#defaultTimeoutMs = defaultTimeoutMs;
  }

  /** Something was recorded: every pending condition is checked again. */
  changed(): void {
    for (const check of [...this.#checks]) check();
  }

  /** Resolves with the first truthy value of `condition` (a throw rejects at once). */
  waitFor<T>(condition: () => T | undefined | null | false | 0, options: { timeoutMs?: number; what?: string } = {}): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.#defaultTimeoutMs;
    return new Promise((resolve, reject) => {
      const check = () => {
        let value: T | undefined | null | false | 0;
        try {
          value = condition();
        } catch (error) {
          finish();
          return reject(error);
        }
        if (value !== undefined && value !== null && value !== false && value !== 0) {
          finish();
          resolve(value);
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`${this.#owner}.waitFor timed out after ${timeoutMs} ms${options.what ? `: ${options.what}` : ''}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.#checks.delete(check);
      };
      this.#checks.add(check);
      check();
    });
  }
}
