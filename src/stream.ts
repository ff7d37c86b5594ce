/**
 * `stream-gemini-agents/stream`: Stream's providers. StreamEdge joins Stream Video calls from
 * Node (the video client with WebRTC from wrtc, loaded when the first call is joined), and
 * StreamConversation keeps a conversation in a Stream Chat channel.
 *
 *   const edge = new StreamEdge(streamEdgeOptions(loadConfig()));
 */
export {
  StreamEdge,
  StreamConnection,
  StreamChatChannel,
  MAX_CHAT_QUERY_MESSAGES,
  type StreamChatChannelInit,
  PublishedAudio,
  STREAM_EDGE_DEFAULTS,
  resolveStreamEdgeOptions,
  canOpenBrowser,
  demoUrl,
  type DemoLinkParts,
  type SdkLogLevel,
  type StreamEdgeInit,
  type StreamEdgeOptions,
} from './edge/stream/index.js';
export type { StreamConnectionInit, VideoClientModule } from './edge/stream/stream-connection.js';
export * from './conversation/stream/index.js';
