/** PCM frames, resampling, downmixing, 10 ms framing and real-time pacing. */
export {
  FRAME_DURATION_MS,
  GEMINI_INPUT_SAMPLE_RATE,
  GEMINI_OUTPUT_SAMPLE_RATE,
  MAX_SAMPLE_RATE,
  MIN_SAMPLE_RATE,
  WEBRTC_SAMPLE_RATE,
  assertInt16Array,
  assertSampleRate,
  base64ToInt16,
  bufferToInt16,
  concatPcm,
  durationMs,
  frameDurationMs,
  int16ToBase64,
  int16ToBuffer,
  samplesForMs,
  samplesPer10Ms,
  silence,
} from './pcm.js';
export type { PcmFrame } from './pcm.js';
export { createResampler } from './resampler.js';
export type { Resampler } from './resampler.js';
export { downmixToMono } from './downmix.js';
export { PcmConverter } from './pcm-converter.js';
export { AudioFramer } from './framer.js';
export { RecentAudio } from './recent-audio.js';
export type { AudioFramerOptions } from './framer.js';
export { AudioPacer } from './pacer.js';
export type { AudioPacerEvents, AudioPacerOptions, AudioPacerStats, PlaybackEndReason } from './pacer.js';
export { frameGridClock, GridClock, systemClock } from './clock.js';
export type { Clock } from './clock.js';
export { AudioMixer } from './mixer.js';
export type { AudioMixerOptions } from './mixer.js';
