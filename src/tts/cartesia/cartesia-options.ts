/** CartesiaTTS's options and their defaults, declared once. */
import { ValidationError } from '../../core/errors.js';

export interface CartesiaTtsOptions {
  apiKey: string;
  /**
   * Where the TTS WebSocket lives: `wss://api.cartesia.ai` by default; `https://` and `http://`
   * are read as `wss://` and `ws://`. `/tts/websocket` is appended.
   */
  baseUrl?: string;
  /**
   * A Sonic model id; default `sonic-3`, the current model the SDK's types list, pinned by
   * family rather than `sonic-latest`, so a voice does not change under a running agent.
   */
  modelId?: string;
  /** The voice used when a session names none. */
  voiceId?: string;
  /** The language sessions speak when they name none (e.g. `en`); default: the voice's. */
  language?: string;
  /** The `Cartesia-Version` the client sends; default the one @cartesia/cartesia-js 4.2 sends. */
  cartesiaVersion?: string;
  /**
   * How long the service may hold streamed text before it starts speaking, in ms (0–5000);
   * undefined: the service's default (3000). Text ending in a sentence's punctuation starts at once.
   */
  maxBufferDelayMs?: number;
}

export const CARTESIA_DEFAULTS = {
  baseUrl: 'wss://api.cartesia.ai',
  modelId: 'sonic-3',
  /** The voice of the SDK's README example. */
  voiceId: 'e07c00bc-4134-4eae-9ea4-1a55fb45746b',
  /** The SDK's `cartesia-version` header (internal/client-identity.ts of @cartesia/cartesia-js 4.2). */
  cartesiaVersion: '2026-08-14',
} as const;

export interface ResolvedCartesiaOptions {
  apiKey: string;
  /** The full WebSocket URL of the TTS endpoint. */
  url: string;
  modelId: string;
  voiceId: string;
  language: string | undefined;
  cartesiaVersion: string;
  maxBufferDelayMs: number | undefined;
}

export function resolveCartesiaOptions(options: CartesiaTtsOptions): ResolvedCartesiaOptions {
  if (typeof options.apiKey !== 'string' || options.apiKey.trim() === '') {
    throw new ValidationError('apiKey', 'a Cartesia API key is required (play.cartesia.ai → API keys)');
  }
  const maxBufferDelayMs = options.maxBufferDelayMs;
  if (maxBufferDelayMs !== undefined && !(Number.isInteger(maxBufferDelayMs) && maxBufferDelayMs >= 0 && maxBufferDelayMs <= 5000)) {
    throw new ValidationError('maxBufferDelayMs', `must be a whole number of ms from 0 to 5000, got ${maxBufferDelayMs}`);
  }
  return {
    apiKey: options.apiKey,
    url: ttsWebSocketUrl(options.baseUrl ?? CARTESIA_DEFAULTS.baseUrl),
    modelId: options.modelId ?? CARTESIA_DEFAULTS.modelId,
    voiceId: options.voiceId ?? CARTESIA_DEFAULTS.voiceId,
    language: options.language,
    cartesiaVersion: options.cartesiaVersion ?? CARTESIA_DEFAULTS.cartesiaVersion,
    maxBufferDelayMs,
  };
}

/** `<base>/tts/websocket` with a WebSocket scheme. */
function ttsWebSocketUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch (error) {
    throw new ValidationError('baseUrl', `not a URL: ${baseUrl} (${(error as Error).message})`);
  }
  const schemes: Record<string, string> = { 'https:': 'wss:', 'wss:': 'wss:', 'http:': 'ws:', 'ws:': 'ws:' };
  const scheme = schemes[url.protocol];
  if (!scheme) throw new ValidationError('baseUrl', `use a wss://, ws://, https:// or http:// URL, got ${url.protocol}`);
  url.protocol = scheme;
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/tts/websocket`;
  return url.toString();
}

/**
 * Cartesia's `language` for a BCP-47 code: its primary subtag, lowercased (`en-US` → `en`).
 * The API takes ISO 639-1 codes in `language`; regional variants go in `locale`, which only
 * newer API versions know, so a region is left out rather than risk a refused request.
 */
export function cartesiaLanguage(bcp47: string | undefined): string | undefined {
  const primary = bcp47?.trim().split(/[-_]/, 1)[0]?.toLowerCase();
  return primary ? primary : undefined;
}
