export { StreamEdge } from './stream-edge.js';
export { StreamConnection } from './stream-connection.js';
export { PublishedAudio } from './published-audio.js';
export {
  STREAM_EDGE_DEFAULTS,
  resolveStreamEdgeOptions,
  type SdkLogLevel,
  type StreamEdgeInit,
  type StreamEdgeOptions,
} from './stream-edge-options.js';
export { canOpenBrowser, demoUrl, type DemoLinkParts } from './demo-link.js';
export { StreamChatChannel, MAX_CHAT_QUERY_MESSAGES, type StreamChatChannelInit } from './stream-chat-channel.js';
