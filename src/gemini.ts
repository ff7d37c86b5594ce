/**
 * `stream-gemini-agents/gemini`: Google Gemini's providers, on `@google/genai`. GeminiRealtime
 * talks through the Live API (speech to speech); GeminiLLM is the text model with its tool loop.
 *
 *   const model = new GeminiRealtime(geminiRealtimeOptions(loadConfig()));
 */
export { GeminiRealtime, type GeminiRealtimeOptions } from './llm/gemini/realtime.js';
export { GeminiRealtimeSession } from './llm/gemini/realtime-session.js';
export { GeminiLLM, DEFAULT_GEMINI_MODEL, type GeminiLLMOptions } from './llm/gemini/gemini-llm.js';
export { UNKNOWN_THOUGHT_SIGNATURE } from './llm/gemini/thought-signatures.js';
