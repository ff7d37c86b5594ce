export { CARTESIA_TTS_PATH, FakeCartesia, type FakeCartesiaOptions, type FakeCartesiaRequest } from './server.js';
export { FakeCartesiaConnection, type FakeCartesiaBehaviour, type FakeCartesiaContext, type FakeCartesiaHost } from './connection.js';
export { CARTESIA_SAMPLE_RATES, pieceFrequencyHz, pieceSampleCount, synthesizePiece, type SynthesizedPiece } from './synthesis.js';
