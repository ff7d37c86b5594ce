/**
 * `stream-gemini-agents/cartesia`: Cartesia's streaming text-to-speech (Sonic) for pipeline
 * mode, over its WebSocket: one context per answer, text streamed as continuations, PCM at the
 * rate asked for, word timestamps.
 *
 *   const tts = new CartesiaTTS(cartesiaOptions(loadConfig()));
 */
export * from './tts/cartesia/index.js';
