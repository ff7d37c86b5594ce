/**
 * Waiting in tests: for a condition, never for a guessed time. Each wait polls, has a generous
 * deadline (the suite runs on a loaded 2-core machine) and, when the deadline passes, fails
 * with what it was waiting for (and, when `what` is a function, the state it found then).
 */
import { setTimeout as sleepMs } from 'node:timers/promises';

/** What a wait is for, e.g. `'the agent track at the SFU'`; a function is read when the wait fails. */
export type WaitingFor = string | (() => string);

const DEFAULT_TIMEOUT_MS = 10_000;
/** Pause between checks. */
const POLL_INTERVAL_MS = 10;

/** Resolves once `condition` holds; fails after `timeoutMs` naming `what`. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, what: WaitingFor, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
  await waitFor(async () => ((await condition()) ? true : undefined), what, timeoutMs);
}

/** Resolves with the first value `probe` returns that is not undefined; fails after `timeoutMs` naming `what`. */
export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, what: WaitingFor, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what}`);
    }
    await sleepMs(POLL_INTERVAL_MS);
  }
}

/**
 * Lets `ms` of real time pass: for what is defined by time (a TTL running out, a window
 * closing, a stretch in which something must not happen), never to wait for something to
 * happen (use `waitUntil`).
 */
export function letTimePass(ms: number): Promise<void> {
  return sleepMs(ms);
}
