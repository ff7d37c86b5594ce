/** Silero VAD v5 on onnxruntime-node (loaded on first use). */
export { SileroVAD, SILERO_VAD_DEFAULTS } from './silero-vad.js';
export type { SileroVADOptions } from './silero-vad.js';
export type { SileroStream } from './silero-vad-stream.js';
