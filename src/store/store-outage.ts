/**
 * One warning per store outage instead of one per request: the first failure is logged, the
 * ones after it are not, and the first success after them logs that the store is back. A busy
 * node that loses Redis would otherwise write a warning for every request it serves.
 */
import { toError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

export class StoreOutage {
  readonly #logger: Logger;
  readonly #messages: { down: string; up: string };
  #down = false;

  /** `down` is logged (warn) when an outage starts, `up` (info) when it ends. */
  constructor(logger: Logger, messages: { down: string; up: string }) {
    this.#logger = logger;
    this.#messages = messages;
  }

  get isDown(): boolean {
    return this.#down;
  }

  /** The store failed; logs only when this starts an outage. */
  failed(error: unknown): void {
    if (this.#down) return;
    this.#down = true;
    this.#logger.warn({ err: toError(error) }, this.#messages.down);
  }

  /** The store answered; logs only when this ends an outage. */
  answered(): void {
    if (!this.#down) return;
    this.#down = false;
    this.#logger.info(this.#messages.up);
  }
}
