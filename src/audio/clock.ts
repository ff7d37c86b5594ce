/**
 * The time source and timer a real-time component schedules against. Injectable so tests can
 * drive time by hand instead of sleeping.
 */
export interface Clock {
  /** Monotonic time in ms (like `performance.now()`). */
  now(): number;
  /** Calls `callback` once, `delayMs` from now. */
  setTimeout(callback: () => void, delayMs: number): unknown;
  /** Cancels a timer returned by `setTimeout`; a spent or unknown handle is ignored. */
  clearTimeout(handle: unknown): void;
  /**
   * For a clock whose timers fire on a fixed grid: the first grid time at or after `atMs`, so a
   * schedule can start on the grid and never wait for it. Absent: timers fire when asked.
   */
  align?(atMs: number): number;
}

/** `performance.now()` and Node's timers. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

interface GridTimer {
  callback: () => void;
  /** The grid slot it is due at: `slot × gridMs` on the clock. */
  slot: number;
  cancelled: boolean;
}

/** A time this close under a grid line counts as on it (floating-point sums), as a fraction of the grid. */
const GRID_EPSILON = 1e-6;
/**
 * A timer asked for up to this long after a grid line runs at that line. Callers compute a grid
 * time from their own reading of the clock and pass the difference as a delay; by the time this
 * clock reads it again a few microseconds have gone, which must not cost them a whole slot.
 */
const LATE_TOLERANCE_MS = 1;

/**
 * A clock whose timers fire on a shared grid (every `gridMs`, 10 ms by default, at multiples of
 * it on `performance.now()`): a timer is due at the first grid time at or after the time asked
 * for, and every timer due at the same grid time runs from one underlying timer, in the order
 * they were set. Many pacers, one per call, then cost one event-loop wakeup per 10 ms between
 * them instead of one each (each with its own timer bookkeeping). A timer never runs before its
 * grid time (nor, asked for just after a line, more than 1 ms before the time asked): if the
 * event loop's cached time makes the underlying timer fire early, it is set again for the rest.
 * As with Node's timers, a timer set while others run waits for the next
 * turn of the event loop, and one that throws does not stop the others (its error is rethrown
 * on its own, as an uncaught exception).
 */
export class GridClock implements Clock {
  readonly gridMs: number;
  readonly #base: Clock;
  /** Pending timers by slot; few slots at a time (pacers ask for the next one or two). */
  readonly #pending = new Map<number, Set<GridTimer>>();
  #timer: unknown = undefined;
  #timerSlot = Number.POSITIVE_INFINITY;
  /** Timers are running: new ones wait, and the underlying timer is set once, after them. */
  #firing = false;

  constructor(gridMs = 10, base: Clock = systemClock) {
    this.gridMs = gridMs;
    this.#base = base;
  }

  now(): number {
    return this.#base.now();
  }

  align(atMs: number): number {
    return this.#slotAtOrAfter(atMs, 0) * this.gridMs;
  }

  setTimeout(callback: () => void, delayMs: number): unknown {
    const slot = this.#slotAtOrAfter(this.now() + Math.max(0, delayMs), LATE_TOLERANCE_MS);
    const timer: GridTimer = { callback, slot, cancelled: false };
    let timers = this.#pending.get(slot);
    if (!timers) this.#pending.set(slot, (timers = new Set()));
    timers.add(timer);
    if (slot < this.#timerSlot && !this.#firing) this.#arm(slot);
    return timer;
  }

  clearTimeout(handle: unknown): void {
    const timer = handle as GridTimer | undefined;
    if (!timer || timer.cancelled) return;
    timer.cancelled = true; // also when it is in the batch running now
    const timers = this.#pending.get(timer.slot);
    if (!timers?.delete(timer)) return;
    if (timers.size > 0) return;
    this.#pending.delete(timer.slot);
    if (this.#pending.size === 0 && !this.#firing) this.#disarm();
  }

  /** Timers waiting, across all slots (for tests and diagnostics). */
  get pendingTimers(): number {
    let count = 0;
    for (const timers of this.#pending.values()) count += timers.size;
    return count;
  }

  #slotAtOrAfter(atMs: number, toleranceMs: number): number {
    return Math.ceil((atMs - toleranceMs) / this.gridMs - GRID_EPSILON) + 0; // + 0: never -0
  }

  #arm(slot: number): void {
    this.#disarm();
    this.#timerSlot = slot;
    this.#timer = this.#base.setTimeout(this.#fire, Math.max(0, slot * this.gridMs - this.now()));
  }

  #disarm(): void {
    if (this.#timer !== undefined) this.#base.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerSlot = Number.POSITIVE_INFINITY;
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    this.#timerSlot = Number.POSITIVE_INFINITY;
    const nowSlot = Math.floor(this.now() / this.gridMs + GRID_EPSILON);
    const due = [...this.#pending.keys()].filter((slot) => slot <= nowSlot).sort((a, b) => a - b);
    const batches = due.map((slot) => {
      const timers = this.#pending.get(slot)!;
      this.#pending.delete(slot);
      return timers;
    });
    this.#firing = true;
    for (const timers of batches) {
      for (const timer of timers) {
        if (timer.cancelled) continue;
        timer.cancelled = true; // spent
        try {
          timer.callback();
        } catch (error) {
          process.nextTick(() => {
            throw error;
          });
        }
      }
    }
    this.#firing = false;
    const next = this.#earliestSlot();
    if (next !== undefined) this.#arm(next);
  };

  #earliestSlot(): number | undefined {
    let earliest: number | undefined;
    for (const slot of this.#pending.keys()) if (earliest === undefined || slot < earliest) earliest = slot;
    return earliest;
  }
}

/** The process's 10 ms grid, shared by every AudioPacer that does not bring its own clock. */
export const frameGridClock = new GridClock();
