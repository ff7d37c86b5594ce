export {
  FakeStreamApi,
  startFakeStreamApi,
  type FailureScript,
  type FakeStreamApiOptions,
  type Misbehaviour,
  type RecordedRequest,
  type StoredMessage,
} from './fake-stream-api.js';
