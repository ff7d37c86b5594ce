/**
 * `stream-gemini-agents/testing`: local servers that speak the providers' wire protocols on
 * 127.0.0.1, for testing agents offline with the real SDKs: Stream's REST API and Video (the
 * coordinator, an SFU with a WebRTC peer, scripted participants who speak and publish video),
 * Gemini (the streaming text API and the Live API, with scripted turns), and pipeline mode's
 * speech providers (Deepgram's live transcription, ElevenLabs' and Cartesia's WebSocket TTS).
 * Point a provider at them through its base-URL options, or through the environment
 * `fakeServicesEnv` gives.
 */
export * from './stream-api/index.js';
export * from './stream-video/index.js';
export * from './gemini/index.js';
export * from './deepgram/index.js';
export * from './elevenlabs/index.js';
export * from './cartesia/index.js';
export { fakeServicesEnv, type FakeServices, type FakeStreamEndpoints } from './environment.js';
export {
  FakeGeminiLive,
  FakeLiveConnection,
  LIVE_ALPHA_PATH,
  LIVE_PATH,
  defaultScript,
  pcmDurationMs,
  pcmToBase64,
  type FakeActivityEvent,
  type FakeFunctionResponse,
  type FakeLiveHost,
  type FakeLiveScript,
  type FakeRealtimeInputConfig,
  type FakeSetup,
  type FakeTurn,
  type FakeTurnRecord,
  type LiveClientMessage,
} from './gemini-live/index.js';
