/**
 * `stream-gemini-agents/gemini`: Google Gemini's providers, on `@google/genai`. GeminiRealtime
 * talks through the Live API (speech to speech); GeminiLLM is the text model with its tool loop.
 *
 *   const model = new GeminiRealtime(geminiRealtimeOptions(loadConfig()));
 */
export { GeminiRealtime, type GeminiRealtimeOptions } from './llm/gemini/realtime.js';
export { GeminiRealtimeSession, type GeminiRealtimeSessionOptions, type ReconnectPolicy } from './llm/gemini/realtime-session.js';
export type { LiveSetupOptions, LiveVadOptions } from './llm/gemini/live-config.js';
export type { LocalTurnDetection } from './llm/gemini/live-turn-control.js';
export { GeminiLLM, DEFAULT_GEMINI_MODEL, type GeminiLLMOptions } from './llm/gemini/gemini-llm.js';
export type { GeminiClient } from './llm/gemini/gemini-turn.js';
export { UNKNOWN_THOUGHT_SIGNATURE } from './llm/gemini/thought-signatures.js';
