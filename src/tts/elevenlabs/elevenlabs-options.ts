/**
 * The options of ElevenLabs text-to-speech, their defaults (declared here once), and the
 * stream-input URL they make.
 */
import { ValidationError } from '../../core/errors.js';

export interface ElevenLabsVoiceSettings {
  stability?: number;
  similarityBoost?: number;
  style?: number;
  useSpeakerBoost?: boolean;
  /** 0.7 to 1.2; 1 is the voice's own pace. */
  speed?: number;
}

export interface ElevenLabsTTSOptions {
  apiKey: string;
  /** The API's origin; the WebSocket URL is derived from it (http → ws, https → wss). Default `https://api.elevenlabs.io`. */
  baseUrl?: string;
  /** The voice when a session names none. Default `JBFqnCBsd6RMkjVDRZzb` ("George", a premade public voice). */
  voiceId?: string;
  /** Default `eleven_flash_v2_5`: ElevenLabs' lowest-latency model, meant for conversation. */
  modelId?: string;
  /** Sent once, in the first message of each session; the voice's own settings when left out. */
  voiceSettings?: ElevenLabsVoiceSettings;
  /** The service ends a session that gets no text for this long, in ms (whole seconds, 1 s to 180 s). Default 60 000. */
  inactivityTimeoutMs?: number;
  /** Shortest sentence sent on its own, in characters; shorter ones join the next. Default 20. */
  minSentenceLength?: number;
  /** Longest text held waiting for a sentence end, in characters; longer run-on text is cut after a clause. Default 250. */
  maxSentenceLength?: number;
}

export const ELEVENLABS_DEFAULTS = {
  baseUrl: 'https://api.elevenlabs.io',
  voiceId: 'JBFqnCBsd6RMkjVDRZzb',
  modelId: 'eleven_flash_v2_5',
  inactivityTimeoutMs: 60_000,
  minSentenceLength: 20,
  maxSentenceLength: 250,
} as const;

export type ResolvedElevenLabsOptions = Required<Omit<ElevenLabsTTSOptions, 'voiceSettings'>> & {
  voiceSettings: ElevenLabsVoiceSettings | undefined;
};

/** The PCM rates ElevenLabs streams (`pcm_<rate>` output formats) on every plan. */
export const ELEVENLABS_PCM_RATES = [16_000, 22_050, 24_000, 44_100] as const;

export function resolveElevenLabsOptions(options: ElevenLabsTTSOptions): ResolvedElevenLabsOptions {
  if (typeof options.apiKey !== 'string' || options.apiKey.trim() === '') {
    throw new ValidationError('apiKey', 'an ElevenLabs API key is required (ELEVENLABS_API_KEY, from elevenlabs.io → API keys)');
  }
  const resolved: ResolvedElevenLabsOptions = {
    apiKey: options.apiKey,
    baseUrl: options.baseUrl ?? ELEVENLABS_DEFAULTS.baseUrl,
    voiceId: options.voiceId ?? ELEVENLABS_DEFAULTS.voiceId,
    modelId: options.modelId ?? ELEVENLABS_DEFAULTS.modelId,
    voiceSettings: options.voiceSettings,
    inactivityTimeoutMs: options.inactivityTimeoutMs ?? ELEVENLABS_DEFAULTS.inactivityTimeoutMs,
    minSentenceLength: options.minSentenceLength ?? ELEVENLABS_DEFAULTS.minSentenceLength,
    maxSentenceLength: options.maxSentenceLength ?? ELEVENLABS_DEFAULTS.maxSentenceLength,
  };
  if (!/^https?:\/\//.test(resolved.baseUrl)) {
    throw new ValidationError('baseUrl', `must be an http or https URL, got ${JSON.stringify(resolved.baseUrl)}`);
  }
  const { inactivityTimeoutMs } = resolved;
  if (!Number.isFinite(inactivityTimeoutMs) || inactivityTimeoutMs < 1_000 || inactivityTimeoutMs > 180_000) {
    throw new ValidationError('inactivityTimeoutMs', `must be between 1000 and 180000 (the service's limits), got ${inactivityTimeoutMs}`);
  }
  for (const name of ['minSentenceLength', 'maxSentenceLength'] as const) {
    if (!Number.isInteger(resolved[name]) || resolved[name] < 0) {
      throw new ValidationError(name, `must be a whole number of characters, got ${resolved[name]}`);
    }
  }
  return resolved;
}

/** The PCM rate to ask ElevenLabs for: the wanted one when it offers it, else the nearest (then resampled). */
export function elevenLabsRateFor(sampleRate: number): number {
  let best: number = ELEVENLABS_PCM_RATES[0];
  for (const rate of ELEVENLABS_PCM_RATES) if (Math.abs(rate - sampleRate) < Math.abs(best - sampleRate)) best = rate;
  return best;
}

/** The wss URL of a stream-input session. */
export function streamInputUrl(
  options: ResolvedElevenLabsOptions,
  session: { voiceId: string; providerRate: number; language: string | undefined },
): string {
  const url = new URL(`v1/text-to-speech/${encodeURIComponent(session.voiceId)}/stream-input`, options.baseUrl.replace(/\/*$/, '/'));
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('model_id', options.modelId);
  url.searchParams.set('output_format', `pcm_${session.providerRate}`);
  // Alignment arrives with the audio it describes, not ahead of it.
  url.searchParams.set('sync_alignment', 'true');
  url.searchParams.set('inactivity_timeout', String(Math.round(options.inactivityTimeoutMs / 1000)));
  // The service takes ISO 639-1 codes: the language part of a BCP-47 tag.
  if (session.language) url.searchParams.set('language_code', session.language.split('-')[0]!.toLowerCase());
  return url.toString();
}

/** Voice settings as the wire spells them (snake_case), without the fields left out. */
export function voiceSettingsOnTheWire(settings: ElevenLabsVoiceSettings | undefined): Record<string, unknown> | undefined {
  if (!settings) return undefined;
  const wire: Record<string, unknown> = {
    stability: settings.stability,
    similarity_boost: settings.similarityBoost,
    style: settings.style,
    use_speaker_boost: settings.useSpeakerBoost,
    speed: settings.speed,
  };
  for (const key of Object.keys(wire)) if (wire[key] === undefined) delete wire[key];
  return wire;
}
