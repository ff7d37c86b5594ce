/**
 * The one place where the application's configuration (loadConfig, from the environment) becomes
 * providers' options. Providers never read Config: they take their own options and declare their
 * own defaults, and a setting left unset here reaches them as undefined, so that default applies.
 * Only types are imported, so the root entry can offer these without loading any provider.
 *
 *   const config = loadConfig();
 *   const edge = new StreamEdge(streamEdgeOptions(config));
 *   const model = new GeminiRealtime(geminiRealtimeOptions(config));
 */
import { missingCredentials, requireGoogle, requireStream, type Config } from './config.js';
import type { StreamEdgeInit } from './edge/stream/stream-edge-options.js';
import type { GeminiLLMOptions } from './llm/gemini/gemini-llm.js';
import type { GeminiRealtimeOptions } from './llm/gemini/realtime.js';
import type { PipelineModelOptions } from './pipeline/pipeline-model.js';
import type { DeepgramSTTOptions } from './stt/deepgram/options.js';
import type { CartesiaTtsOptions } from './tts/cartesia/cartesia-options.js';
import type { ElevenLabsTTSOptions } from './tts/elevenlabs/elevenlabs-options.js';

/** StreamEdge's options from STREAM_* and DEMO_OPEN_BROWSER; throws ConfigError without the Stream keys. */
export function streamEdgeOptions(config: Config, overrides: Partial<StreamEdgeInit> = {}): StreamEdgeInit {
  const { apiKey, apiSecret } = requireStream(config);
  const { stream } = config;
  return {
    apiKey,
    apiSecret,
    baseUrl: stream.baseUrl,
    videoBaseUrl: stream.videoBaseUrl,
    locationHintUrl: stream.locationHintUrl,
    timeoutMs: stream.timeoutMs,
    chatChannelType: stream.chatChannelType,
    demoBaseUrl: stream.demoBaseUrl,
    demoTokenTtlS: stream.demoTokenTtlS,
    openBrowser: stream.openBrowser,
    ...overrides,
  };
}

/** GeminiRealtime's options from GOOGLE_API_KEY, GEMINI_LIVE_MODEL, GEMINI_VOICE, GOOGLE_GEMINI_BASE_URL and AGENT_VIDEO. */
export function geminiRealtimeOptions(config: Config, overrides: Partial<GeminiRealtimeOptions> = {}): GeminiRealtimeOptions {
  return {
    apiKey: requireGoogle(config).apiKey,
    model: config.google.liveModel,
    voice: config.google.voice,
    baseUrl: config.google.baseUrl,
    video: config.agent.video,
    ...overrides,
  };
}

/** GeminiLLM's options from GOOGLE_API_KEY, GEMINI_MODEL and GOOGLE_GEMINI_BASE_URL. */
export function geminiLLMOptions(config: Config, overrides: Partial<GeminiLLMOptions> = {}): GeminiLLMOptions {
  return { apiKey: requireGoogle(config).apiKey, model: config.google.model, baseUrl: config.google.baseUrl, ...overrides };
}

/** The credential a pipeline-mode setting needs, or a ConfigError naming it and where to get one. */
function requireKey(value: string | undefined, variable: string): string {
  if (!value) throw missingCredentials([variable]);
  return value;
}

/** DeepgramSTT's options from DEEPGRAM_API_KEY, DEEPGRAM_BASE_URL, DEEPGRAM_MODEL and AGENT_LANGUAGE. */
export function deepgramOptions(config: Config, overrides: Partial<DeepgramSTTOptions> = {}): DeepgramSTTOptions {
  const { deepgram, language } = config.pipeline;
  return { apiKey: requireKey(deepgram.apiKey, 'DEEPGRAM_API_KEY'), baseUrl: deepgram.baseUrl, model: deepgram.model, language, ...overrides };
}

/** ElevenLabsTTS's options from the ELEVENLABS_* variables. */
export function elevenLabsOptions(config: Config, overrides: Partial<ElevenLabsTTSOptions> = {}): ElevenLabsTTSOptions {
  const { elevenlabs } = config.pipeline;
  return {
    apiKey: requireKey(elevenlabs.apiKey, 'ELEVENLABS_API_KEY'),
    baseUrl: elevenlabs.baseUrl,
    voiceId: elevenlabs.voiceId,
    modelId: elevenlabs.model,
    ...overrides,
  };
}

/** CartesiaTTS's options from the CARTESIA_* variables and AGENT_LANGUAGE. */
export function cartesiaOptions(config: Config, overrides: Partial<CartesiaTtsOptions> = {}): CartesiaTtsOptions {
  const { cartesia, language } = config.pipeline;
  return {
    apiKey: requireKey(cartesia.apiKey, 'CARTESIA_API_KEY'),
    baseUrl: cartesia.baseUrl,
    voiceId: cartesia.voiceId,
    modelId: cartesia.model,
    language,
    ...overrides,
  };
}

/** PipelineModel's turn settings from MIN_ENDPOINTING_DELAY_MS, MAX_ENDPOINTING_DELAY_MS, FALSE_INTERRUPTION_TIMEOUT_MS and AGENT_LANGUAGE. */
export function pipelineTurnOptions(
  config: Config,
): Pick<PipelineModelOptions, 'minEndpointingDelayMs' | 'maxEndpointingDelayMs' | 'falseInterruptionTimeoutMs' | 'language'> {
  const { minEndpointingDelayMs, maxEndpointingDelayMs, falseInterruptionTimeoutMs, language } = config.pipeline;
  return { minEndpointingDelayMs, maxEndpointingDelayMs, falseInterruptionTimeoutMs, language };
}

/** The credentials pipeline mode needs with this configuration (Gemini, Deepgram, the chosen TTS) that it lacks. */
export function missingPipelineCredentials(config: Config): string[] {
  const tts = config.pipeline.ttsProvider === 'cartesia' ? ['CARTESIA_API_KEY', config.pipeline.cartesia.apiKey] : ['ELEVENLABS_API_KEY', config.pipeline.elevenlabs.apiKey];
  return [
    ['GOOGLE_API_KEY', config.google.apiKey],
    ['DEEPGRAM_API_KEY', config.pipeline.deepgram.apiKey],
    tts,
  ]
    .filter(([, value]) => !value)
    .map(([name]) => name!);
}
