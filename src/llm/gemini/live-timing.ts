/** Small timing rules of the Live session: reconnection backoff and the server's durations. */

/**
 * Exponential backoff with "equal jitter": half the step is fixed, half random, so sessions
 * that dropped together (a server restart drops them all) do not retry in lockstep.
 * `attempt` counts from 1.
 */
export function backoffDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const stepMs = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(stepMs / 2 + (random() * stepMs) / 2);
}

/**
 * Milliseconds in a protobuf JSON Duration such as `"10s"`, `"0.5s"` or `"1.000340s"` (the form
 * `goAway.timeLeft` takes), or undefined when it is not one.
 */
export function parseDurationMs(duration: string | undefined): number | undefined {
  const match = /^(\d+(?:\.\d+)?)s$/.exec(duration?.trim() ?? '');
  return match ? Math.round(Number(match[1]) * 1000) : undefined;
}
