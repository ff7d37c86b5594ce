export {
  FakeStreamApi,
  startFakeStreamApi,
  type FailureScript,
  type PostedMessage,
  type FakeStreamApiOptions,
  type Misbehaviour,
  type RecordedRequest,
  type StoredMessage,
} from './fake-stream-api.js';
export type { ChatMessageType, StoredChannel, StoredUser } from './chat-payloads.js';
export type { ChatSocket } from './chat-socket.js';
export { MAX_MESSAGE_LIMIT } from './chat-client-routes.js';
