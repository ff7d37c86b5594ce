export { PipelineModel, type PipelineModelOptions } from './pipeline-model.js';
export { PipelineSession, type PipelineSessionInit } from './pipeline-session.js';
export { EndOfTurnDetector, DEFAULT_MAX_ENDPOINTING_DELAY_MS, DEFAULT_MIN_ENDPOINTING_DELAY_MS, type EndOfTurnOptions } from './end-of-turn.js';
export { voiceActivityOf, type VoiceActivity, type VoiceActivityHandlers } from './voice-activity.js';
