/** Conversations kept in a Stream Chat channel. */
export { StreamConversation, type StreamConversationOptions } from './stream-conversation.js';
export { splitIntoChunks, DEFAULT_CHUNK_CHARS } from './chunking.js';
export { createStreamRestClient, DEFAULT_STREAM_TIMEOUT_MS, type StreamRestOptions } from './stream-rest-client.js';
