export { DeepgramSTT } from './deepgram-stt.js';
export { DEEPGRAM_DEFAULTS, type DeepgramSTTOptions } from './options.js';
