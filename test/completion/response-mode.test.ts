import { expect, test } from 'vitest';
import { responseModeFor } from '../../src/completion/response-mode.js';

test.each([
  [undefined, 'json'],
  ['', 'json'],
  ['*/*', 'json'],
  ['application/json', 'json'],
  ['application/jsonl', 'jsonl'],
  ['text/event-stream', 'sse'],
  ['text/html,application/xhtml+xml,*/*;q=0.8', 'json'],
  ['application/jsonl, */*', 'jsonl'],
  ['*/*, text/event-stream', 'sse'],
  ['application/json;q=0.5, text/event-stream', 'sse'],
  ['Application/JSONL', 'jsonl'],
  ['text/html', undefined],
  ['application/xml', undefined],
  ['application/json;q=0', undefined],
])('Accept %j → %s', (accept, mode) => {
  expect(responseModeFor(accept)).toBe(mode);
});
