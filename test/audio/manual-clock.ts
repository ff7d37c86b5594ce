import type { Clock } from '../../src/audio/clock.js';

interface Timer {
  id: number;
  at: number;
  callback: () => void;
}

/**
 * A clock the test moves by hand. `advance` runs timers at their scheduled times, as a punctual
 * event loop would; `stall` moves time without running anything, as a blocked event loop does.
 */
export class ManualClock implements Clock {
  #now = 0;
  #nextId = 1;
  #timers: Timer[] = [];

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, delayMs: number): unknown {
    const timer = { id: this.#nextId++, at: this.#now + Math.max(0, delayMs), callback };
    this.#timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers = this.#timers.filter((timer) => timer.id !== handle);
  }

  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** Moves time forward by `ms`, running each timer when its time comes (in order). */
  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      const next = this.#timers.reduce<Timer | undefined>((soonest, t) => (!soonest || t.at < soonest.at ? t : soonest), undefined);
      if (!next || next.at > until) break;
      this.#timers = this.#timers.filter((timer) => timer !== next);
      this.#now = Math.max(this.#now, next.at);
      next.callback();
    }
    this.#now = until;
  }

  /** Moves time forward by `ms` without running timers: they run late, on the next `advance`. */
  stall(ms: number): void {
    this.#now += ms;
  }
}
