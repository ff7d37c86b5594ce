/**
 * The Live API session setup: what `ai.live.connect` sends as its first `setup` message.
 * Built fresh for every connection (the SDK mutates the config it is given), with the latest
 * resumption handle when reconnecting.
 */
import { ActivityHandling, Modality, type FunctionDeclaration, type LiveConnectConfig, type RealtimeInputConfig } from '@google/genai';
import type { ToolDeclaration } from '../tool.js';
import { toLiveFunctionDeclaration } from './live-schema.js';

/** Server-side voice activity detection tuning; unset fields keep the service's defaults. */
export interface LiveVadOptions {
  /** Silence that ends the user's turn; larger tolerates pauses, smaller answers sooner. */
  silenceDurationMs?: number;
  /** Speech required before the start of speech is committed. */
  prefixPaddingMs?: number;
}

export interface LiveSetupOptions {
  voice: string;
  /** BCP-47 code of the spoken language; unset lets the model choose. */
  language?: string;
  instructions?: string;
  tools: ToolDeclaration[];
  vad?: LiveVadOptions;
  /**
   * The agent detects the user's activity itself and sends activityStart/activityEnd: the
   * service's automatic detection is off (and `vad` unused).
   */
  manualActivity?: boolean;
  /** Let the model stay silent when input is not meant for it (native-audio models; API v1alpha). */
  proactiveAudio?: boolean;
  /** The handle of the session to resume; undefined starts a new one. */
  resumptionHandle?: string;
  /** Provider options not covered above (e.g. `enableAffectiveDialog`); ours win on conflict. */
  extra?: LiveConnectConfig;
}

export function buildLiveConfig(options: LiveSetupOptions): LiveConnectConfig {
  const functionDeclarations: FunctionDeclaration[] = options.tools.map(toLiveFunctionDeclaration);
  return {
    ...options.extra,
    responseModalities: [Modality.AUDIO],
    speechConfig: {
      voiceConfig: { prebuiltVoiceConfig: { voiceName: options.voice } },
      ...(options.language ? { languageCode: options.language } : {}),
    },
    ...(options.instructions ? { systemInstruction: { parts: [{ text: options.instructions }] } } : {}),
    inputAudioTranscription: {},
    outputAudioTranscription: {},
    realtimeInputConfig: realtimeInputConfig(options),
    ...(options.proactiveAudio ? { proactivity: { proactiveAudio: true } } : {}),
    // An empty config asks for handles; a handle resumes that session's context.
    sessionResumption: options.resumptionHandle ? { handle: options.resumptionHandle } : {},
    // Without compression an audio session ends when its context fills (about 15 minutes).
    contextWindowCompression: { slidingWindow: {} },
    ...(functionDeclarations.length > 0 ? { tools: [{ functionDeclarations }] } : {}),
  };
}

function realtimeInputConfig(options: LiveSetupOptions): RealtimeInputConfig {
  if (!options.manualActivity) return { automaticActivityDetection: { disabled: false, ...options.vad } };
  // Our activityStart is sent only once speech over the agent is a real interruption: it cuts.
  return { automaticActivityDetection: { disabled: true }, activityHandling: ActivityHandling.START_OF_ACTIVITY_INTERRUPTS };
}
