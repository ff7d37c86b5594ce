/** The public API. Import from here; everything else is internal and may change. */
export { loadConfig, requireGoogle, requireStream, missingCredentials, type Config } from './config.js';
export { AgentsError, ConfigError, EdgeError, ProviderError, ValidationError } from './core/errors.js';
export { EventBus, type ErrorEvents, type Listener } from './core/event-bus.js';
export { createLogger, rootLogger, type Logger } from './core/logger.js';

export * from './agent/index.js';
export * from './conversation/index.js';
export * from './edge/index.js';
export * from './audio/index.js';
export * from './video/index.js';

export type * from './llm/llm.js';
export type * from './llm/tool.js';
export type * from './llm/realtime.js';
export { ToolRegistry } from './llm/tool-registry.js';
export { collect } from './llm/collect.js';
export { GeminiLLM, type GeminiLLMOptions } from './llm/gemini/gemini-llm.js';
export { GeminiRealtime, type GeminiRealtimeOptions } from './llm/gemini/realtime.js';

export { MemoryStore } from './store/memory-store.js';
export type { KeyValueStore, TokenBucket, TokenTake } from './store/store.js';
