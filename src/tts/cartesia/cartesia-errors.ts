/**
 * What went wrong talking to Cartesia, as a ProviderError: the HTTP status (of a refused
 * handshake, or the `status_code` of an `error` event), whether retrying can help (the rule
 * every provider shares: 408, 429, 5xx and network failures), what to do, and never the key.
 */
import { ProviderError } from '../../core/errors.js';
import { isNetworkError, isRetryableStatus } from '../../core/retryable.js';

const PROVIDER = 'cartesia';

/** The handshake was answered with an HTTP status instead of an upgrade. */
export function handshakeRefused(status: number, body: string): ProviderError {
  const detail = body.trim().slice(0, 300);
  const said = detail ? `: ${detail}` : '';
  if (status === 401 || status === 403) {
    return new ProviderError(`Cartesia refused the API key (${status})${said}. Check the apiKey option.`, {
      provider: PROVIDER,
      status,
      retryable: false,
      code: 'UNAUTHORIZED',
    });
  }
  return byStatus(status, `Cartesia refused the connection (${status})${said}`);
}

/** An `error` event from the service (`status_code`, `title`, `message`, `error_code`). */
export function serviceError(event: { status_code?: number; title?: string; message?: string; error_code?: string }): ProviderError {
  const status = typeof event.status_code === 'number' ? event.status_code : 500;
  const text = [event.title, event.message].filter(Boolean).join(': ') || 'no detail';
  const code = event.error_code ? ` [${event.error_code}]` : '';
  return byStatus(status, `Cartesia could not synthesize (${status})${code}: ${text}`);
}

/**
 * The socket failed or closed before the context was done. Retryable whatever the socket said:
 * the server answered the handshake (refusals come through `handshakeRefused`), so this is the
 * network or the server going away, and a new connection can succeed.
 */
export function connectionLost(detail: string, cause?: unknown): ProviderError {
  const where = isNetworkError(cause) ? 'the network failed' : 'the connection ended';
  return new ProviderError(`Cartesia: ${where} before the speech ended (${detail}). Try again.`, {
    provider: PROVIDER,
    retryable: true,
    cause,
    code: 'NETWORK',
  });
}

function byStatus(status: number, message: string): ProviderError {
  const retryable = isRetryableStatus(status);
  const advice = status === 429 ? ' Slow down, or check the plan\'s concurrency limit.' : retryable ? ' Try again later.' : ' Check the model, voice, language and sample rate.';
  const code = status === 401 || status === 403 ? 'UNAUTHORIZED' : status === 429 ? 'RATE_LIMITED' : retryable ? 'UNAVAILABLE' : 'INVALID_REQUEST';
  return new ProviderError(`${message}.${advice}`, { provider: PROVIDER, status, retryable, code });
}
