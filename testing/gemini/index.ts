export { FakeGemini, type FakeGeminiOptions, type FakeGeminiRequest, type FakeScript } from './fake-gemini.js';
export type { FakeAnswer, FakeError, FakeFunctionCall, FakeReply, FakeUsage } from './replies.js';
