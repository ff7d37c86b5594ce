/**
 * Gemini Live as a `RealtimeModel`: speech in (16 kHz PCM), speech out (24 kHz PCM), with
 * the service's voice activity detection or the agent's own (`turnDetection`: the turn-taking
 * policy pipeline mode follows too), transcripts of both sides, tools, session resumption
 * and optional video. One instance holds the options and the SDK client; each `connect()` opens
 * an independent `GeminiRealtimeSession` (one per call).
 *
 *   const model = new GeminiRealtime(geminiRealtimeOptions(loadConfig()));   // or new GeminiRealtime({ apiKey })
 *   const session = await model.connect({ instructions, tools });
 *   session.on('audio', ({ samples }) => pacer.push(samples));
 *   edge.onAudio((frame16k) => session.sendAudio(frame16k, 16_000));
 */
import { GoogleGenAI, type LiveConnectConfig } from '@google/genai';
import { ValidationError } from '../../core/errors.js';
import type { RealtimeConnectOptions, RealtimeModel } from '../realtime.js';
import type { LiveVadOptions } from './live-config.js';
import type { LocalTurnDetection } from './live-turn-control.js';
import { GeminiRealtimeSession } from './realtime-session.js';

export interface GeminiRealtimeOptions {
  apiKey: string;
  /** A Live API model; default `gemini-2.5-flash-native-audio-preview-09-2025`. */
  model?: string;
  /** A prebuilt voice (Puck, Charon, Kore, Fenrir, Aoede, …); default Puck. */
  voice?: string;
  /** BCP-47 code of the spoken language; unset lets the model follow the user. */
  language?: string;
  /** The API host (the SDK derives the WebSocket URL); unset means Google's. */
  baseUrl?: string;
  /** Accept camera/screen frames through `sendVideoFrame`; default false. */
  video?: boolean;
  /** At most one video frame per this interval; default 1 000 (1 fps). */
  videoIntervalMs?: number;
  /** Server-side voice activity detection tuning (when `turnDetection` is unset). */
  vad?: LiveVadOptions;
  /**
   * The agent's own turn detection (a local VAD, e.g. SileroVAD) instead of the service's: speech
   * over the agent pauses it at once, a backchannel or a cough never cuts it, and group calls can
   * use `when-addressed` addressing (see live-turn-control.ts). Unset: the service's.
   */
  turnDetection?: LocalTurnDetection;
  /** Input audio per WebSocket message, 10–100; default 40. */
  inputChunkMs?: number;
  /** Per-tool timeout unless the tool sets its own; default: the registry's. */
  toolTimeoutMs?: number;
  /** Setup must complete within this; default 10 000. */
  connectTimeoutMs?: number;
  /** Consecutive failed connection attempts before the session gives up; default 5. */
  maxReconnectAttempts?: number;
  /** First backoff step; doubles per attempt up to `reconnectMaxDelayMs`. Default 250. */
  reconnectBaseDelayMs?: number;
  /** Default 5 000. */
  reconnectMaxDelayMs?: number;
  /** Extra Live setup fields (e.g. `enableAffectiveDialog`, `thinkingConfig`); ours win on conflict. */
  liveConfig?: LiveConnectConfig;
}

type DefaultedKey =
  | 'model'
  | 'voice'
  | 'video'
  | 'videoIntervalMs'
  | 'inputChunkMs'
  | 'connectTimeoutMs'
  | 'maxReconnectAttempts'
  | 'reconnectBaseDelayMs'
  | 'reconnectMaxDelayMs';
type ResolvedOptions = GeminiRealtimeOptions & Required<Pick<GeminiRealtimeOptions, DefaultedKey>>;

const DEFAULTS: Required<Pick<GeminiRealtimeOptions, DefaultedKey>> = {
  model: 'gemini-2.5-flash-native-audio-preview-09-2025',
  voice: 'Puck',
  video: false,
  videoIntervalMs: 1_000,
  inputChunkMs: 40,
  connectTimeoutMs: 10_000,
  maxReconnectAttempts: 5,
  reconnectBaseDelayMs: 250,
  reconnectMaxDelayMs: 5_000,
};

export class GeminiRealtime implements RealtimeModel {
  readonly provider = 'gemini';
  readonly model: string;
  readonly #options: ResolvedOptions;
  readonly #ai: GoogleGenAI;
  /** The same client on API v1alpha, where proactive audio is; made when first needed. */
  #aiAlpha: GoogleGenAI | undefined;

  constructor(options: GeminiRealtimeOptions) {
    const merged: ResolvedOptions = { ...DEFAULTS, ...withoutUndefined(options), apiKey: options.apiKey };
    validate(merged);
    this.#options = merged;
    this.model = merged.model;
    this.#ai = this.#client();
  }

  #client(apiVersion?: string): GoogleGenAI {
    const { apiKey, baseUrl } = this.#options;
    const httpOptions = { ...(baseUrl ? { baseUrl } : {}), ...(apiVersion ? { apiVersion } : {}) };
    return new GoogleGenAI({ apiKey, vertexai: false, ...(Object.keys(httpOptions).length > 0 ? { httpOptions } : {}) });
  }

  /** Whether sessions take video frames (the `video` option, AGENT_VIDEO). */
  get video(): boolean {
    return this.#options.video;
  }


  connect(options: RealtimeConnectOptions = {}): Promise<GeminiRealtimeSession> {
    const o = this.#options;
    // In a group call the model may also choose silence, where it can (native-audio models).
    const proactiveAudio = options.addressing?.addressing === 'when-addressed' && o.model.includes('native-audio');
    const ai = proactiveAudio ? (this.#aiAlpha ??= this.#client('v1alpha')) : this.#ai;
    return GeminiRealtimeSession.open({
      ai,
      model: o.model,
      setup: { voice: o.voice, language: o.language, instructions: options.instructions, vad: o.vad, proactiveAudio, extra: o.liveConfig },
      turnDetection: o.turnDetection,
      addressing: options.addressing,
      tools: options.tools,
      toolTimeoutMs: o.toolTimeoutMs,
      video: o.video,
      videoIntervalMs: o.videoIntervalMs,
      inputChunkMs: o.inputChunkMs,
      connectTimeoutMs: o.connectTimeoutMs,
      reconnect: {
        maxAttempts: o.maxReconnectAttempts,
        baseDelayMs: o.reconnectBaseDelayMs,
        maxDelayMs: o.reconnectMaxDelayMs,
      },
      signal: options.signal,
    });
  }
}

function validate(options: ResolvedOptions): void {
  if (typeof options.apiKey !== 'string' || options.apiKey === '') {
    throw new ValidationError('apiKey', 'a Gemini API key is required (GOOGLE_API_KEY; free at https://aistudio.google.com/apikey)');
  }
  if (options.model.trim() === '') throw new ValidationError('model', 'must not be empty');
  if (options.voice.trim() === '') throw new ValidationError('voice', 'must not be empty');
  const ranges: [DefaultedKey, number, number][] = [
    ['inputChunkMs', 10, 100],
    ['videoIntervalMs', 0, 60_000],
    ['connectTimeoutMs', 1, 120_000],
    ['maxReconnectAttempts', 1, 100],
    ['reconnectBaseDelayMs', 0, 60_000],
    ['reconnectMaxDelayMs', 0, 600_000],
  ];
  for (const [name, min, max] of ranges) {
    const value = options[name] as number;
    if (!Number.isFinite(value) || value < min || value > max) {
      throw new ValidationError(name, `must be a number from ${min} to ${max}, got ${String(value)}`);
    }
  }
  if (options.toolTimeoutMs !== undefined && !(options.toolTimeoutMs > 0)) {
    throw new ValidationError('toolTimeoutMs', `must be a positive number of milliseconds, got ${options.toolTimeoutMs}`);
  }
}

/** Drops keys set to undefined, so they do not override the defaults. */
function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
