/**
 * Which failed requests are worth sending again, one rule for every provider (Gemini, Stream
 * REST): the same request may succeed later after a timeout (408), a rate limit (429) or
 * trouble on the server's side (5xx), and when no answer came back at all (the network failed
 * or the request timed out). Any other status is the request's own fault and would fail again.
 */

/** Socket-level failures from undici/Node, in `error.code`. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);
/** How deep down the `cause` chain a network failure is looked for (SDKs wrap fetch's errors). */
const MAX_CAUSE_DEPTH = 5;

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * True when the request got no answer: a socket error code, fetch's own wording for a failed
 * connection ("fetch failed") or a body cut off mid-stream ("terminated"), or a timeout
 * (`AbortSignal.timeout`'s TimeoutError), in the error or anywhere down its cause chain.
 */
export function isNetworkError(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < MAX_CAUSE_DEPTH; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    if (current instanceof TypeError && (current.message === 'fetch failed' || current.message === 'terminated')) return true;
    if (current.name === 'TimeoutError') return true;
  }
  return false;
}

/** A failed request: its HTTP status decides when it has one; without one, only a network failure or a timeout is retried. */
export function isRetryableFailure(error: unknown, status: number | undefined): boolean {
  return status === undefined ? isNetworkError(error) : isRetryableStatus(status);
}

/**
 * The pause a `Retry-After` header asks for (seconds, or an HTTP date), in milliseconds, or
 * undefined when there is none or it cannot be read.
 */
export function retryAfterMs(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
