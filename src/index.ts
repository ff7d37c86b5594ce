/**
 * `stream-gemini-agents`: the framework's core. The Agent, Conversations (the base to extend,
 * in memory, JSON lines), the provider interfaces (Edge, RealtimeModel, LLM, STT, TTS, VAD),
 * pipeline mode (PipelineModel: STT + LLM + TTS as one RealtimeModel), tools, errors and
 * configuration. It loads no native add-on and no provider SDK: Stream's are in
 * `stream-gemini-agents/stream`, Gemini's in `stream-gemini-agents/gemini`, the pipeline's
 * providers in `/silero`, `/deepgram`, `/elevenlabs` and `/cartesia`, the HTTP worker in
 * `stream-gemini-agents/worker`, the wire-level fakes for tests in `stream-gemini-agents/testing`.
 */
export { loadConfig, missingCredentials, requireGoogle, requireStream, type Config } from './config.js';
export {
  cartesiaOptions,
  deepgramOptions,
  elevenLabsOptions,
  geminiLLMOptions,
  geminiRealtimeOptions,
  missingPipelineCredentials,
  pipelineTurnOptions,
  streamEdgeOptions,
} from './presets.js';
export { AgentsError, ConfigError, EdgeError, ProviderError, ValidationError } from './core/errors.js';
export type { BackoffOptions } from './core/backoff.js';
export { EventBus, type ErrorEvents, type Listener } from './core/event-bus.js';
export {
  childLogger,
  configureLogging,
  createLogger,
  rootLogger,
  LOG_LEVELS,
  type LogContext,
  type Logger,
  type LogFormat,
  type LoggingOptions,
  type LogLevel,
} from './core/logger.js';

export * from './agent/index.js';
export type { SpeakerTrackerOptions } from './agent/speaker-tracker.js';
export type { VideoInputOptions, VideoSettings } from './agent/video-input.js';
export * from './conversation/index.js';
export * from './edge/index.js';
export * from './audio/index.js';
export * from './video/index.js';

export type * from './llm/llm.js';
export type * from './llm/tool.js';
export type * from './llm/realtime.js';
export type * from './stt/stt.js';
export type * from './tts/tts.js';
export * from './vad/index.js';
export { SentenceSplitter, DEFAULT_MIN_SENTENCE_LENGTH, type SentenceSplitterOptions } from './tts/sentences.js';
export * from './pipeline/index.js';
export * from './turns/index.js';
export { defineTool } from './llm/define-tool.js';
export { ToolRegistry, DEFAULT_TOOL_TIMEOUT_MS, type ToolExecuteOptions, type ToolRegistryOptions } from './llm/tool-registry.js';
export { untrustedJsonSchema, UNTRUSTED_SCHEMA_LIMITS, type UntrustedSchemaLimits } from './llm/untrusted-json-schema.js';
export type { ArgumentsCheck, CompiledSchema } from './llm/tool-schema.js';
export { collect } from './llm/collect.js';
