/** Both function-calling paths of the protocol, end to end. */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { readJsonl, readSse, startHarness, tokensOf, types, userTurn, type Harness } from './harness.js';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());
beforeEach(() => harness.fake.reset());

const weather = {
  name: 'get_weather',
  description: 'The weather in a city.',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
const base = { backstory: 'You know the weather.', messages: [userTurn('Weather in Oslo?')] };

describe('functions with result.data: the server answers the model and goes on', () => {
  test('the data goes back to Gemini and the final answer streams', async () => {
    harness.fake.script([{ functionCalls: [{ name: 'get_weather', args: { city: 'Oslo' } }] }, { text: 'It is 3 degrees in Oslo.' }]);
    const events = await readJsonl(await harness.complete({ ...base, functions: [{ ...weather, result: { data: { temp: 3 } } }] }, { accept: 'application/jsonl' }));
    // Usage events interleave with the activity as the LLM reports them; the rest is ordered.
    expect(types(events).filter((type) => type !== 'usage')).toEqual(['sendResult', 'message', 'message', 'token', 'receiveResult', 'result']);
    expect(types(events).filter((type) => type === 'usage')).toHaveLength(2);
    const [request, response] = events.filter((event) => event.type === 'message');
    expect(request!.data).toEqual({
      type: 'activity',
      text: 'get_weather({"city":"Oslo"})',
      meta: { activity: { type: 'request', function: { name: 'get_weather', arguments: { city: 'Oslo' } } } },
    });
    expect(response!.data.meta.activity).toEqual({ type: 'response', function: { name: 'get_weather', arguments: { city: 'Oslo' }, result: { temp: 3 } } });
    expect(tokensOf(events)).toBe('It is 3 degrees in Oslo.');
    expect(events.at(-1)!.data.end.reason).toBe('stop');

    const [first, second] = harness.fake.requests;
    expect(first!.body.tools[0].functionDeclarations[0]).toMatchObject({ name: 'get_weather', description: 'The weather in a city.' });
    const replayed = second!.body.contents as Array<{ role: string; parts: any[] }>;
    expect(replayed.at(-2)!.parts[0].functionCall).toMatchObject({ name: 'get_weather', args: { city: 'Oslo' } });
    expect(JSON.stringify(replayed.at(-1)!.parts[0].functionResponse)).toContain('"temp":3');
  });
});

describe('functions without a result: the client runs them', () => {
  test('the turn ends with end.reason activity and the activity request message', async () => {
    harness.fake.script({ functionCalls: [{ name: 'get_weather', args: { city: 'Oslo' } }] });
    const events = await readJsonl(await harness.complete({ ...base, functions: [weather] }, { accept: 'application/jsonl' }));
    expect(types(events)).toEqual(['sendResult', 'usage', 'message', 'receiveResult', 'result']);
    expect(events[2]!.data).toMatchObject({
      type: 'activity',
      meta: { activity: { type: 'request', function: { name: 'get_weather', arguments: { city: 'Oslo' } } } },
    });
    expect(events.at(-1)!.data).toMatchObject({ text: '', end: { reason: 'activity' } });
    expect(harness.fake.requests).toHaveLength(1);
  });

  test('JSON mode carries the request in messages; result.channel behaves the same', async () => {
    harness.fake.script({ functionCalls: [{ name: 'get_weather', args: { city: 'Oslo' } }] });
    const response = await harness.complete({ ...base, functions: [{ ...weather, result: { channel: 'weather-results' } }] });
    const body = await response.json();
    expect(body.end.reason).toBe('activity');
    expect(body.messages[0].meta.activity.function).toEqual({ name: 'get_weather', arguments: { city: 'Oslo' } });
  });

  test('the client answers by calling again with the whole history', async () => {
    harness.fake.script({ text: 'Sunny and 3 degrees.' });
    const history = [
      userTurn('Weather in Oslo?'),
      { type: 'activity', text: '', meta: { activity: { type: 'request', function: { name: 'get_weather', arguments: { city: 'Oslo' } } } } },
      {
        type: 'activity',
        text: '',
        meta: { activity: { type: 'response', function: { name: 'get_weather', arguments: { city: 'Oslo' }, result: { sky: 'sunny', temp: 3 } } } },
      },
    ];
    const events = await readSse(await harness.complete({ backstory: 'B.', messages: history, functions: [weather] }, { accept: 'text/event-stream' }));
    expect(events.at(-1)!.data).toMatchObject({ text: 'Sunny and 3 degrees.', end: { reason: 'stop' } });
    const contents = harness.fake.requests[0]!.body.contents as Array<{ role: string; parts: any[] }>;
    expect(contents.map((content) => content.role)).toEqual(['user', 'model', 'user']);
    expect(contents[1]!.parts[0].functionCall).toMatchObject({ name: 'get_weather', args: { city: 'Oslo' } });
    expect(contents[2]!.parts[0].functionResponse).toMatchObject({ name: 'get_weather' });
    expect(JSON.stringify(contents[2])).toContain('sunny');
  });
});
