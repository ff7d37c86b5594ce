export { PipelineModel, type PipelineModelOptions } from './pipeline-model.js';
export { PipelineSession, type PipelineSessionInit } from './pipeline-session.js';
export { voiceActivityOf, type VoiceActivity, type VoiceActivityHandlers } from './voice-activity.js';
