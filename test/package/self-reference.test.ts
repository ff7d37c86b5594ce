import { expect, it } from 'vitest';
import { Agent, loadConfig } from 'stream-gemini-agents';
import { FakeGemini } from 'stream-gemini-agents/testing';
import { GeminiLLM } from 'stream-gemini-agents/gemini';

it('resolves the package name to the sources', () => {
  expect(typeof Agent).toBe('function');
  expect(typeof loadConfig).toBe('function');
  expect(typeof FakeGemini).toBe('function');
  expect(typeof GeminiLLM).toBe('function');
});
