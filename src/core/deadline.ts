/** Waiting on a promise no longer than a deadline. */

/**
 * `promise`'s outcome, or a rejection naming `what` after `timeoutMs`. The work itself is not
 * cancelled; a late rejection of it is swallowed, and the timer never outlives the wait.
 */
export function withDeadline<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  promise.catch(() => {});
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
