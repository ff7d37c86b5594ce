/** How a failed Stream REST call should be treated: retried, or reported as permanent. */
import { isRetryableFailure, retryAfterMs } from '../../core/retryable.js';
import type { RetryVerdict } from '../sync-worker.js';

interface StreamErrorLike {
  message: string;
  metadata?: { responseCode?: number; responseHeaders?: Headers };
}

/** The HTTP status Stream answered a failed REST call with, if it answered. */
export function streamErrorStatus(error: unknown): number | undefined {
  return (error as StreamErrorLike | undefined)?.metadata?.responseCode;
}

/**
 * Whether sending the same REST call again can help, by the shared rule (429, 5xx, timeouts,
 * network failures). The SDK reports a call that got no answer (the network failed, or its own
 * timeout fired) as an error with response metadata but no status, whatever the cause was.
 */
export function isRetryableStreamError(error: unknown): boolean {
  const metadata = (error as StreamErrorLike | undefined)?.metadata;
  if (metadata !== undefined && metadata.responseCode === undefined) return true;
  return isRetryableFailure(error, metadata?.responseCode);
}

/** Retryable calls honour the `Retry-After` that came with them; the others are permanent. */
export function classifyStreamError(error: Error): RetryVerdict {
  if (!isRetryableStreamError(error)) return { retryable: false };
  return { retryable: true, retryAfterMs: retryAfterMs((error as StreamErrorLike).metadata?.responseHeaders?.get('retry-after')) };
}

/** A message id we chose was already stored: an earlier attempt succeeded but its answer was lost. */
export function isDuplicateMessageError(error: unknown): boolean {
  return error instanceof Error && /already exists/i.test(error.message);
}

/** A message we meant to change or remove is not there (deleted elsewhere). */
export function isMissingMessageError(error: unknown): boolean {
  return streamErrorStatus(error) === 404 || (error instanceof Error && /(not found|doesn't exist|does not exist)/i.test(error.message));
}
