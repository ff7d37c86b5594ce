export { FakeGeminiLive, LIVE_ALPHA_PATH, LIVE_PATH } from './server.js';
export {
  FakeLiveConnection,
  type FakeActivityEvent,
  type FakeFunctionResponse,
  type FakeLiveHost,
  type FakeRealtimeInputConfig,
  type FakeSetup,
  type FakeTurnRecord,
  type LiveClientMessage,
} from './connection.js';
export { defaultScript, type FakeLiveScript, type FakeTurn } from './script.js';
export { pcmDurationMs, pcmToBase64, tone } from './pcm.js';
