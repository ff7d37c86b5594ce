/**
 * What went wrong in an ElevenLabs session, as a ProviderError whose `retryable` follows the
 * rule every provider shares (src/core/retryable.ts): an HTTP status refusing the handshake is
 * judged as any status is; a socket that failed or closed without the service's say-so may work
 * on a new session; a session the service refused by policy (1008: a wrong key, no credits, a
 * setting it rejects) would be refused again. Messages never carry the key.
 */
import { ProviderError } from '../../core/errors.js';
import { isNetworkError, isRetryableFailure } from '../../core/retryable.js';

const PROVIDER = 'elevenlabs';

/** Close codes after which a new session may work: going away, abnormal (no close frame), server error, restart, try later. */
const RETRYABLE_CLOSE_CODES = new Set([1001, 1006, 1011, 1012, 1013, 1014]);

function redact(text: string, apiKey: string): string {
  return apiKey ? text.split(apiKey).join('[redacted]') : text;
}

/** The handshake was answered with an HTTP status instead of a WebSocket. */
export function handshakeError(status: number, apiKey: string, body: string): ProviderError {
  const detail = redact(body.trim().slice(0, 300), apiKey);
  const advice =
    status === 401 || status === 403
      ? ' Check the API key (ELEVENLABS_API_KEY) and its permission for text to speech.'
      : status === 404
        ? ' Check the voice id and the base URL.'
        : '';
  return new ProviderError(`ElevenLabs refused the text-to-speech connection with HTTP ${status}${detail ? `: ${detail}` : ''}.${advice}`, {
    provider: PROVIDER,
    status,
    retryable: isRetryableFailure(undefined, status),
    code: status === 401 || status === 403 ? 'AUTH' : 'PROVIDER',
  });
}

/** The socket failed (it could not connect, or broke). */
export function socketError(error: Error, apiKey: string): ProviderError {
  // ws reports its own handshake timeout as a plain Error, without a socket error code.
  const network = isNetworkError(error) || /handshake has timed out/i.test(error.message);
  return new ProviderError(
    `ElevenLabs text-to-speech socket failed: ${redact(error.message, apiKey)}.${network ? ' Check the network and the base URL.' : ''}`,
    { provider: PROVIDER, retryable: network, cause: error, code: network ? 'NETWORK' : 'PROVIDER' },
  );
}

/** The socket closed before the audio ended. */
export function closedError(code: number, reason: string, apiKey: string): ProviderError {
  const said = reason ? `: ${redact(reason, apiKey)}` : '';
  if (code === 1008) {
    if (/timeout|not received a new text/i.test(reason)) {
      return new ProviderError(
        `ElevenLabs ended the session for lack of text${said}. Send text sooner, or raise inactivityTimeoutMs.`,
        { provider: PROVIDER, retryable: true, code: 'TIMEOUT' },
      );
    }
    const auth = /api key|unauthori[sz]ed|authenticat|invalid.*key/i.test(reason);
    return new ProviderError(
      `ElevenLabs refused the text-to-speech session (close 1008)${said}.` +
        (auth ? ' Check the API key (ELEVENLABS_API_KEY).' : ' Check the key, the account, the voice and the settings.'),
      { provider: PROVIDER, retryable: false, code: auth ? 'AUTH' : 'PROVIDER' },
    );
  }
  return new ProviderError(`ElevenLabs closed the text-to-speech session before the audio ended (close ${code})${said}.`, {
    provider: PROVIDER,
    retryable: RETRYABLE_CLOSE_CODES.has(code) || code === 1000,
    code: RETRYABLE_CLOSE_CODES.has(code) ? 'NETWORK' : 'PROVIDER',
  });
}

/** The service sent an error message (`{ message, error, code }`) instead of audio. */
export function serviceError(message: { message?: unknown; error?: unknown; code?: unknown }, apiKey: string): ProviderError {
  const text = [message.error, message.message].filter((part) => typeof part === 'string' && part).join(': ');
  const status = typeof message.code === 'number' && message.code >= 400 && message.code < 600 ? message.code : undefined;
  return new ProviderError(`ElevenLabs text-to-speech failed: ${redact(text || 'an error without a message', apiKey)}`, {
    provider: PROVIDER,
    status,
    retryable: status === undefined ? false : isRetryableFailure(undefined, status),
  });
}
