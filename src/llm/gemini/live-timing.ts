/** The server's durations in Live messages. */

/**
 * Milliseconds in a protobuf JSON Duration such as `"10s"`, `"0.5s"` or `"1.000340s"` (the form
 * `goAway.timeLeft` takes), or undefined when it is not one.
 */
export function parseDurationMs(duration: string | undefined): number | undefined {
  const match = /^(\d+(?:\.\d+)?)s$/.exec(duration?.trim() ?? '');
  return match ? Math.round(Number(match[1]) * 1000) : undefined;
}
