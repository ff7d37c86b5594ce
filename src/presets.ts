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
import { requireGoogle, requireStream, type Config } from './config.js';
import type { StreamEdgeInit } from './edge/stream/stream-edge-options.js';
import type { GeminiLLMOptions } from './llm/gemini/gemini-llm.js';
import type { GeminiRealtimeOptions } from './llm/gemini/realtime.js';

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
