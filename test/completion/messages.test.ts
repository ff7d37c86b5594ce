import { describe, expect, test } from 'vitest';
import { mapMessages } from '../../src/completion/messages.js';
import type { RequestMessage } from '../../src/completion/request-schema.js';

const activity = (type: 'request' | 'response' | 'trigger', name: string, extra: Record<string, unknown> = {}): RequestMessage => ({
  type: 'activity',
  text: '',
  meta: { activity: { type, function: { name, arguments: { city: 'Oslo' }, ...extra } } },
});

describe('mapMessages', () => {
  test('user and bot become turns; backstory, instruction and context become system context', () => {
    const mapped = mapMessages([
      { type: 'backstory', text: 'You are Ada.' },
      { type: 'user', text: 'Hi' },
      { type: 'instruction', text: 'Be brief.' },
      { type: 'bot', text: 'Hello!' },
      { type: 'context', text: 'It is Monday.' },
      { type: 'user', text: 'What day is it?' },
    ]);
    expect(mapped.backstory).toEqual(['You are Ada.']);
    expect(mapped.instructions).toEqual(['Be brief.']);
    expect(mapped.context).toEqual(['It is Monday.']);
    expect(mapped.turns).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Hello!' }] },
      { role: 'user', content: [{ type: 'text', text: 'What day is it?' }] },
    ]);
  });

  test('reasoning is dropped; consecutive turns of one role are merged', () => {
    const mapped = mapMessages([
      { type: 'user', text: 'One' },
      { type: 'user', text: 'Two' },
      { type: 'reasoning', text: 'The user counts.' },
      { type: 'bot', text: 'Three' },
    ]);
    expect(mapped.turns).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'One' }, { type: 'text', text: 'Two' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Three' }] },
    ]);
  });

  test('a checkpoint replaces the turns before it with its summary', () => {
    const mapped = mapMessages([
      { type: 'backstory', text: 'Kept.' },
      { type: 'user', text: 'old question' },
      { type: 'bot', text: 'old answer' },
      { type: 'checkpoint', text: 'The user asked about trains.' },
      { type: 'user', text: 'And buses?' },
    ]);
    expect(mapped.summary).toBe('The user asked about trains.');
    expect(mapped.backstory).toEqual(['Kept.']);
    expect(mapped.turns).toEqual([{ role: 'user', content: [{ type: 'text', text: 'And buses?' }] }]);
  });

  test('an activity request and its response become a tool call and its result', () => {
    const mapped = mapMessages([
      { type: 'user', text: 'Weather?' },
      activity('request', 'get_weather'),
      activity('response', 'get_weather', { result: { temp: 3 } }),
    ]);
    const call = { id: 'activity-1', name: 'get_weather', arguments: { city: 'Oslo' } };
    expect(mapped.turns.slice(1)).toEqual([
      { role: 'assistant', content: [{ type: 'tool_call', call }] },
      { role: 'user', content: [{ type: 'tool_result', call, result: { ok: true, value: { temp: 3 } } }] },
    ]);
  });

  test('a response without its request gets a synthesised call; an unanswered request is dropped', () => {
    const mapped = mapMessages([activity('response', 'lookup', { result: 'found' }), { type: 'user', text: 'next' }, activity('request', 'never_answered')]);
    // Text and tool parts are never merged into one turn.
    expect(mapped.turns.map((turn) => [turn.role, ...turn.content.map((part) => part.type)])).toEqual([
      ['assistant', 'tool_call'],
      ['user', 'tool_result'],
      ['user', 'text'],
    ]);
  });

  test('a trigger is a user turn describing the event; string arguments are parsed', () => {
    const mapped = mapMessages([
      { type: 'activity', text: 'Door', meta: { activity: { type: 'trigger', function: { name: 'doorbell', arguments: '{"floor":2}' } } } },
    ]);
    expect(mapped.turns).toEqual([{ role: 'user', content: [{ type: 'text', text: 'Door\n[event] doorbell was triggered with {"floor":2}' }] }]);
  });

  test('interactionMaxMessages keeps the latest turns without an orphaned tool result', () => {
    const mapped = mapMessages(
      [{ type: 'user', text: 'a' }, activity('request', 'f'), activity('response', 'f', { result: 1 }), { type: 'user', text: 'b' }],
      { interactionMaxMessages: 2 },
    );
    expect(mapped.turns).toEqual([{ role: 'user', content: [{ type: 'text', text: 'b' }] }]);
  });
});
