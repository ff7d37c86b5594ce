/**
 * `stream-gemini-agents/deepgram`: Deepgram's streaming speech-to-text for pipeline mode, on the
 * official `@deepgram/sdk`: interim and final transcripts, endpointing, utterance ends,
 * keepalive, and a reconnect that loses no audio when a socket drops.
 *
 *   const stt = new DeepgramSTT(deepgramOptions(loadConfig()));
 */
export * from './stt/deepgram/index.js';
