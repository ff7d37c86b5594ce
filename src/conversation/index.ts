export {
  Conversation,
  ConversationClosedError,
  ConversationSyncError,
  type CloseReport,
  type ConversationEvents,
  type ConversationOptions,
  type ConversationStats,
  type IndicatorState,
  type PersistRequest,
} from './conversation.js';
export { ROLES, type Message, type Role, type UpsertInput } from './message.js';
export { InMemoryConversation } from './in-memory-conversation.js';
export { JsonlFileConversation } from './jsonl-file-conversation.js';
export type { RetryVerdict } from './sync-worker.js';
