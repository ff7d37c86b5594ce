export { Agent, AgentJoinCancelledError, AgentJoinError, type AgentJoinOptions, type AgentOptions } from './agent.js';
export type { AgentEvents, AgentStats, TranscriptEvent, TurnMetrics } from './agent-events.js';
export { SpeakerTracker, type Speaker } from './speaker-tracker.js';
export { UNKNOWN_SPEAKER } from './turn-recorder.js';
export { VideoInput, resolveVideoSettings, DEFAULT_VIDEO_INTERVAL_MS } from './video-input.js';
export {
  defineAgent,
  isAgentDefinition,
  DEFAULT_INSTRUCTIONS,
  type AgentContext,
  type AgentDefinition,
  type AgentDefinitionInit,
} from './define-agent.js';
export {
  CHAT_DEFAULTS,
  CHAT_REPLIES,
  type ChatHistoryLimits,
  type ChatOptions,
  type ChatRateLimit,
  type ChatReplies,
} from './chat-settings.js';
export { POST_TO_CHAT_TOOL, MAX_POST_CHARS } from './post-to-chat-tool.js';
export { HISTORY_OPENING } from './chat-history-context.js';
