/** Voice activity detection: the provider interface and the speech segmenter providers share. */
export type { VAD, VadEventName, VadEvents, VadStream, VadStreamOptions } from './vad.js';
export { SpeechSegmenter } from './speech-segmenter.js';
export type { SegmentBoundary, SpeechSegmenterOptions } from './speech-segmenter.js';
