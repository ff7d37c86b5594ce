export { FakeElevenLabs, type FakeElevenLabsOptions } from './server.js';
export {
  FakeElevenLabsConnection,
  OUTPUT_FORMATS,
  type FakeElevenLabsBehaviour,
  type FakeElevenLabsHost,
  type StreamInputMessage,
} from './connection.js';
export { speakText, type FakeAlignment, type FakeVoiceChunk } from './voice.js';
