export { FakeStreamApi, startFakeStreamApi, type Misbehaviour, type RecordedRequest, type StoredMessage } from './fake-stream-api.js';
