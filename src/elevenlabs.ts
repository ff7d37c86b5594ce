/**
 * `stream-gemini-agents/elevenlabs`: ElevenLabs' streaming text-to-speech for pipeline mode,
 * over its WebSocket input: text sent a sentence at a time as the model writes it, PCM at the
 * rate asked for, word timings from the service's alignment.
 *
 *   const tts = new ElevenLabsTTS(elevenLabsOptions(loadConfig()));
 */
export * from './tts/elevenlabs/index.js';
