import { describe, expect, test } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import { KNOWN_GEMINI_MODELS, parseModelString } from '../../src/completion/model-string.js';

const known = new Set([...KNOWN_GEMINI_MODELS, 'my-tuned-model']);

describe('parseModelString', () => {
  test('a bare name', () => {
    expect(parseModelString('gemini-2.5-flash', known)).toEqual({ name: 'gemini-2.5-flash', options: {} });
  });

  test('name/key=value options map to LLM options', () => {
    expect(parseModelString('my-tuned-model/temperature=0.2/maxTokens=512/topP=0.9/topK=40/interactionMaxMessages=6', known)).toEqual({
      name: 'my-tuned-model',
      options: { temperature: 0.2, maxOutputTokens: 512, topP: 0.9, topK: 40 },
      interactionMaxMessages: 6,
    });
  });

  test.each([
    ['gpt-4o', /unknown model "gpt-4o"/],
    ['gemini-2.5-flash/frequencyPenalty=1', /unknown model option "frequencyPenalty"/],
    ['gemini-2.5-flash/temperature=hot', /needs a number/],
    ['gemini-2.5-flash/temperature=', /needs a number/],
    ['gemini-2.5-flash/temperature', /needs a number/],
    ['gemini-2.5-flash/temperature=3', /from 0 to 2/],
    ['gemini-2.5-flash/maxTokens=1.5', /an integer/],
    ['gemini-2.5-flash/topK=0', /from 1 to/],
    ['gemini-2.5-flash/temperature=0.1/temperature=0.2', /given twice/],
  ])('%s is refused', (value, message) => {
    const attempt = () => parseModelString(value, known);
    expect(attempt).toThrow(ValidationError);
    expect(attempt).toThrow(message);
  });
});
