/**
 * The Live API session setup: what `ai.live.connect` sends as its first `setup` message.
 * Built fresh for every connection (the SDK mutates the config it is given), with the latest
 * resumption handle when reconnecting.
 */
import { Modality, type FunctionDeclaration, type LiveConnectConfig } from '@google/genai';
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
    realtimeInputConfig: {
      automaticActivityDetection: { disabled: false, ...options.vad },
    },
    // An empty config asks for handles; a handle resumes that session's context.
    sessionResumption: options.resumptionHandle ? { handle: options.resumptionHandle } : {},
    // Without compression an audio session ends when its context fills (about 15 minutes).
    contextWindowCompression: { slidingWindow: {} },
    ...(functionDeclarations.length > 0 ? { tools: [{ functionDeclarations }] } : {}),
  };
}
