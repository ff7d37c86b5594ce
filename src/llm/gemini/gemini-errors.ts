/**
 * What went wrong talking to Gemini, as a ProviderError: whether a retry can help, the HTTP
 * status, what to do about it, and never the API key (Gemini error bodies are copied into the
 * SDK's messages, and a proxy may echo the request back).
 */
import { ProviderError } from '../../core/errors.js';
import { isNetworkError, isRetryableFailure } from '../../core/retryable.js';

const PROVIDER = 'gemini';
export interface GeminiErrorContext {
  apiKey: string;
  model: string;
  /** Requests made, retries included. */
  attempts: number;
  /** Set when the server asked for a longer pause than this client waits. */
  refusedDelayMs?: number | undefined;
}

/** The status of an `ApiError` from the SDK (an HTTP error, or an error event inside the stream). */
export function errorStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { name, status } = error as { name?: unknown; status?: unknown };
  return name === 'ApiError' && typeof status === 'number' ? status : undefined;
}

/** Whether the same request can succeed later, by the rule every provider shares. */
export function isRetryable(error: unknown): boolean {
  return isRetryableFailure(error, errorStatus(error));
}

/**
 * The pause Gemini asks for: its error body carries `google.rpc.RetryInfo.retryDelay` ("37s").
 * The SDK does not expose response headers on errors, so a `Retry-After` header cannot be read;
 * RetryInfo is what Gemini sends.
 */
export function advisedRetryDelayMs(error: unknown): number | undefined {
  if (errorStatus(error) === undefined) return undefined;
  const match = /"retryDelay"\s*:\s*"(\d+(?:\.\d+)?)s"/.exec((error as Error).message);
  return match ? Math.round(Number(match[1]) * 1000) : undefined;
}

export function toGeminiError(error: unknown, context: GeminiErrorContext): ProviderError {
  const status = errorStatus(error);
  const detail = redact(describe(error), context.apiKey);
  const retried = context.attempts > 1 ? ` after ${context.attempts} attempts` : '';
  const cause = redactedCause(error, context.apiKey);
  const options = { provider: PROVIDER, status, retryable: isRetryable(error), cause };

  if (status === undefined) {
    if (isNetworkError(error)) {
      return new ProviderError(`Could not reach Gemini${retried}: ${detail}. Check the network and GOOGLE_GEMINI_BASE_URL.`, {
        ...options,
        code: 'NETWORK',
      });
    }
    return new ProviderError(`Gemini request failed: ${detail}`, options);
  }
  if (status === 429) {
    const wait = context.refusedDelayMs === undefined ? '' : ` Gemini asked to wait ${context.refusedDelayMs} ms, longer than this client waits.`;
    return new ProviderError(
      `Gemini rate limit or quota exceeded (429)${retried}: ${detail}.${wait} Slow down, or check the quota of the API key.`,
      { ...options, code: 'RATE_LIMITED' },
    );
  }
  if (status >= 500 || status === 408) {
    return new ProviderError(`Gemini is unavailable (${status})${retried}: ${detail}. Try again later.`, { ...options, code: 'UNAVAILABLE' });
  }
  if (status === 401 || status === 403) {
    return new ProviderError(`Gemini refused the API key (${status}): ${detail}. Check GOOGLE_API_KEY.`, { ...options, code: 'UNAUTHORIZED' });
  }
  if (status === 404) {
    return new ProviderError(`Gemini does not know model "${context.model}" (404): ${detail}. Check GEMINI_MODEL.`, { ...options, code: 'NOT_FOUND' });
  }
  return new ProviderError(`Gemini rejected the request (${status}): ${detail}. Check the messages, options and tool schemas.`, {
    ...options,
    code: 'INVALID_REQUEST',
  });
}

/** Gemini's own message out of the SDK's JSON dump of the error body, or the error's message. */
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const start = message.indexOf('{');
  if (start >= 0) {
    try {
      const body = JSON.parse(message.slice(start)) as { error?: { message?: unknown; status?: unknown } };
      const inner = body.error;
      if (typeof inner?.message === 'string') return typeof inner.status === 'string' ? `${inner.status}: ${inner.message}` : inner.message;
    } catch {
      // Not JSON after all: the message as it is.
    }
  }
  const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${message}${cause}`;
}

function redact(text: string, apiKey: string): string {
  return apiKey.length >= 4 ? text.split(apiKey).join('[redacted]') : text;
}

/** The original error, unless its message holds the key: then a copy without it. */
function redactedCause(error: unknown, apiKey: string): unknown {
  if (!(error instanceof Error) || apiKey.length < 4 || !error.message.includes(apiKey)) return error;
  const copy = new Error(redact(error.message, apiKey));
  copy.name = error.name;
  const status = errorStatus(error);
  if (status !== undefined) Object.assign(copy, { status });
  return copy;
}
