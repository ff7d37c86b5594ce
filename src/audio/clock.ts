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
}

/** `performance.now()` and Node's timers. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
