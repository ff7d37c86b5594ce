/**
 * Options of the Deepgram speech-to-text provider, with their defaults declared once here.
 * Every stream the provider opens uses them; a stream's own `language` overrides the default.
 */
import type { BackoffOptions } from '../../core/backoff.js';
import { ValidationError } from '../../core/errors.js';

export interface DeepgramSTTOptions {
  /** A Deepgram API key (sent as `Authorization: Token <key>`; never logged). */
  apiKey: string;
  /** The live API's base URL, `wss://` or `https://` (the same); default `wss://api.deepgram.com` (a local server in tests). */
  baseUrl?: string;
  /** Default `nova-3`. */
  model?: string;
  /** BCP-47 code (`en-US`, `de`, `multi`); a stream's own `language` wins; default: the model's. */
  language?: string;
  /** Interim transcripts while a phrase is spoken; default true (utterance ends need it). */
  interimResults?: boolean;
  /** Silence, in ms, after which the service ends a phrase (`speech_final`); `false` turns it off; default 300. */
  endpointingMs?: number | false;
  /** Gap between words, in ms, after which the service sends `UtteranceEnd` (at least 1000; needs interim results); `false` turns it off; default 1000 (off without interim results). */
  utteranceEndMs?: number | false;
  /** Punctuation, capitals and numerals in the transcript; default true. */
  smartFormat?: boolean;
  /** `speech.started` events from the service's voice activity detection; default true. */
  vadEvents?: boolean;
  /** A `KeepAlive` goes out after this long without sending anything: the service closes a socket idle for about 10 s; default 4000. */
  keepAliveMs?: number;
  /** How long a socket may take to open, in ms; default 10000. */
  connectTimeoutMs?: number;
  /** Reconnects in a row after a dropped socket (or a failed connect) before the stream gives up; default 5. */
  maxReconnectAttempts?: number;
  /** Pause before reconnecting, doubling each time; default 250 ms up to 5000 ms. */
  reconnectBackoff?: BackoffOptions;
  /** Audio kept for sending once a socket opens, and for replay after a drop (what no final covers yet); the oldest goes beyond it; default 30000 ms. */
  maxBufferedAudioMs?: number;
}

export type ResolvedDeepgramOptions = Required<Omit<DeepgramSTTOptions, 'language'>> & { language: string | undefined };

export const DEEPGRAM_DEFAULTS = {
  baseUrl: 'wss://api.deepgram.com',
  model: 'nova-3',
  interimResults: true,
  endpointingMs: 300,
  utteranceEndMs: 1000,
  smartFormat: true,
  vadEvents: true,
  keepAliveMs: 4000,
  connectTimeoutMs: 10_000,
  maxReconnectAttempts: 5,
  reconnectBackoff: { initialDelayMs: 250, maxDelayMs: 5000 },
  maxBufferedAudioMs: 30_000,
} as const satisfies Omit<ResolvedDeepgramOptions, 'apiKey' | 'language'>;

/** The options with their defaults filled in; a ValidationError names the first bad one. */
export function resolveDeepgramOptions(options: DeepgramSTTOptions): ResolvedDeepgramOptions {
  if (typeof options.apiKey !== 'string' || options.apiKey.trim() === '') {
    throw new ValidationError('apiKey', 'a Deepgram API key is required (https://console.deepgram.com).');
  }
  const resolved: ResolvedDeepgramOptions = {
    ...DEEPGRAM_DEFAULTS,
    ...withoutUndefined(options),
    apiKey: options.apiKey,
    language: options.language,
  };
  // UtteranceEnd needs interim results: turning those off turns the default utterance end off too.
  if (options.interimResults === false && options.utteranceEndMs === undefined) resolved.utteranceEndMs = false;
  for (const name of ['keepAliveMs', 'connectTimeoutMs', 'maxBufferedAudioMs'] as const) {
    if (!(resolved[name] > 0)) throw new ValidationError(name, `must be a positive number of milliseconds, got ${String(resolved[name])}.`);
  }
  if (!Number.isInteger(resolved.maxReconnectAttempts) || resolved.maxReconnectAttempts < 0) {
    throw new ValidationError('maxReconnectAttempts', `must be a whole number of 0 or more, got ${String(resolved.maxReconnectAttempts)}.`);
  }
  if (resolved.endpointingMs !== false && !(resolved.endpointingMs >= 0)) {
    throw new ValidationError('endpointingMs', `must be false or 0 or more milliseconds, got ${String(resolved.endpointingMs)}.`);
  }
  if (resolved.utteranceEndMs !== false) {
    if (!(resolved.utteranceEndMs >= 1000)) throw new ValidationError('utteranceEndMs', `must be false or at least 1000 ms (the service's minimum), got ${String(resolved.utteranceEndMs)}.`);
    if (!resolved.interimResults) throw new ValidationError('utteranceEndMs', 'needs interimResults: the service only sends UtteranceEnd with interim results on.');
  }
  return resolved;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
