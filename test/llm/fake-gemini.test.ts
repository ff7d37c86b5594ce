/** The fake Gemini server's own contract, through the real SDK: the completion server and benchmarks build on it. */
import { GoogleGenAI } from '@google/genai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FakeGemini } from '../../testing/gemini/index.js';

let fake: FakeGemini;
let baseUrl: string;
const client = (apiKey: string) => new GoogleGenAI({ apiKey, vertexai: false, httpOptions: { baseUrl } });

beforeAll(async () => {
  fake = new FakeGemini({ apiKey: 'right-key' });
  baseUrl = await fake.start();
});
afterAll(() => fake.close());

it('answers :generateContent with the whole reply', async () => {
  fake.script({ text: 'one two three', chunks: 3, functionCalls: [{ name: 'lookup', args: { q: 'x' }, id: 'fc-9' }] });
  const response = await client('right-key').models.generateContent({ model: 'gemini-x', contents: 'hi' });
  // (`response.text` would warn about the function call part.)
  expect(response.candidates?.[0]?.content?.parts?.[0]).toEqual({ text: 'one two three' });
  expect(response.functionCalls).toEqual([{ id: 'fc-9', name: 'lookup', args: { q: 'x' } }]);
  expect(fake.requests.at(-1)).toMatchObject({ action: 'generateContent', model: 'gemini-x', apiKey: 'right-key' });
});

it('rejects another API key the way Gemini does', async () => {
  await expect(client('wrong-key').models.generateContent({ model: 'gemini-x', contents: 'hi' })).rejects.toMatchObject({
    status: 400,
    message: expect.stringContaining('API key not valid'),
  });
});
