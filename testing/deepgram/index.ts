export { FakeDeepgram, LISTEN_PATH } from './server.js';
export { FakeDeepgramConnection, type FakeDeepgramHost } from './connection.js';
export { defaultDeepgramScript, type FakeDeepgramScript, type FakeUtterance } from './script.js';
