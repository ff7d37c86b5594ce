/** How a failed Stream REST call should be treated: retried, or reported as permanent. */
import type { RetryVerdict } from '../sync-worker.js';

interface StreamErrorLike {
  message: string;
  metadata?: { responseCode?: number; responseHeaders?: Headers };
}

/**
 * 429, 5xx, timeouts and network failures (no HTTP status at all) are worth retrying; any
 * other 4xx is the request's own fault and will fail again.
 */
export function classifyStreamError(error: Error): RetryVerdict {
  const metadata = (error as StreamErrorLike).metadata;
  const status = metadata?.responseCode;
  if (status === undefined || status === 408 || status === 429 || status >= 500) {
    return { retryable: true, retryAfterMs: retryAfterMs(metadata?.responseHeaders) };
  }
  return { retryable: false };
}

/** A message id we chose was already stored: an earlier attempt succeeded but its answer was lost. */
export function isDuplicateMessageError(error: unknown): boolean {
  return error instanceof Error && /already exists/i.test(error.message);
}

/** A message we meant to change or remove is not there (deleted elsewhere). */
export function isMissingMessageError(error: unknown): boolean {
  const status = (error as StreamErrorLike | undefined)?.metadata?.responseCode;
  return status === 404 || (error instanceof Error && /(not found|doesn't exist|does not exist)/i.test(error.message));
}

function retryAfterMs(headers: Headers | undefined): number | undefined {
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
