/**
 * What went wrong with a Deepgram socket, as a ProviderError: `retryable` follows the shared
 * rule (src/core/retryable.ts) — a refused handshake is retried only for 408, 429 and 5xx, a
 * socket that could not connect or dropped is retried, and a close for bad audio (1008) is not.
 * The API key never appears in a message.
 */
import { ProviderError } from '../../core/errors.js';
import { isRetryableStatus } from '../../core/retryable.js';

const PROVIDER = 'deepgram';

/** How `ws` reports a refused upgrade: the SDK passes its message on, without the response. */
const HANDSHAKE_STATUS = /Unexpected server response: (\d{3})/;

/** Close codes after which the same request would fail again: protocol errors and unusable audio (the service's DATA-0000). */
const FINAL_CLOSE_CODES = new Set([1002, 1003, 1007, 1008]);

/** An error event of the SDK's socket: a refused handshake (with its status) or a network failure. */
export function socketError(error: Error): ProviderError {
  const match = HANDSHAKE_STATUS.exec(error.message);
  if (!match) {
    return new ProviderError(`Could not reach Deepgram (${error.message}). Check the network and the Deepgram base URL; the stream retries.`, {
      provider: PROVIDER,
      retryable: true,
      code: 'NETWORK',
      cause: error,
    });
  }
  const status = Number(match[1]);
  const options = { provider: PROVIDER, status, retryable: isRetryableStatus(status), cause: error };
  if (status === 401 || status === 403) {
    return new ProviderError(`Deepgram refused the API key (${status}). Check the Deepgram API key and that its project may use live transcription.`, {
      ...options,
      code: 'UNAUTHORIZED',
    });
  }
  if (status === 400) {
    return new ProviderError('Deepgram rejected the connection settings (400). Check the model, the language and the other options.', { ...options, code: 'BAD_REQUEST' });
  }
  if (options.retryable) {
    return new ProviderError(`Deepgram is unavailable (${status}). It may work again shortly.`, { ...options, code: 'UNAVAILABLE' });
  }
  return new ProviderError(`Deepgram refused the connection (${status}).`, options);
}

/** A socket the service (or the network) closed before the stream ended. */
export function closeError(code: number, reason: string): ProviderError {
  const retryable = !FINAL_CLOSE_CODES.has(code);
  const detail = reason ? `code ${code}: ${reason}` : `code ${code}`;
  const advice = retryable ? 'The stream reconnects.' : 'Check that the audio is mono 16-bit PCM at the sample rate given.';
  return new ProviderError(`Deepgram closed the socket (${detail}). ${advice}`, { provider: PROVIDER, retryable, code: 'CLOSED' });
}

/** Reconnecting gave up: the last failure, said as such. */
export function gaveUp(attempts: number, last: ProviderError): ProviderError {
  return new ProviderError(`Deepgram stayed unreachable after ${attempts} reconnects: ${last.message}`, {
    provider: PROVIDER,
    status: last.status,
    retryable: true,
    code: last.code,
    cause: last,
  });
}
