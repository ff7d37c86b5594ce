export { ElevenLabsTTS } from './elevenlabs-tts.js';
export {
  ELEVENLABS_DEFAULTS,
  ELEVENLABS_PCM_RATES,
  type ElevenLabsTTSOptions,
  type ElevenLabsVoiceSettings,
} from './elevenlabs-options.js';
