import { describe, expect, it } from 'vitest';
import { historyTurns, messageKind, type StreamChatMessage } from '../../src/edge/stream/chat-message-kind.js';

const context = { agentUserId: 'agent', botUserIds: new Set(['helper-bot']) };
const message = (fields: Partial<StreamChatMessage> & { user?: StreamChatMessage['user'] }): StreamChatMessage => ({
  id: 'm1',
  text: 'hello',
  type: 'regular',
  user: { id: 'alice', name: 'Alice' },
  ...fields,
});

describe('messageKind', () => {
  it('takes a regular message or a reply from a person as a typed turn, with its author', () => {
    expect(messageKind(message({}), context)).toEqual({
      typed: { id: 'm1', userId: 'alice', userName: 'Alice', text: 'hello', createdAt: expect.any(Date) },
    });
    expect('typed' in messageKind(message({ type: 'reply' }), context)).toBe(true);
  });

  it.each([
    ['own', message({ user: { id: 'agent' } })],
    ['transcript', message({ chunk_group: 'turn-1' })],
    ['transcript', message({ custom: { chunk_group: 'turn-1' } })],
    ['bot', message({ user: { id: 'other-agent', bot: true } })],
    ['bot', message({ user: { id: 'other-agent', custom: { bot: true } } })],
    ['bot', message({ user: { id: 'helper-bot' } })],
    ['bot', message({ user: null })],
    ['system', message({ type: 'system' })],
    ['system', message({ type: 'ephemeral' })],
    ['system', message({ type: 'error' })],
    ['system', message({ silent: true })],
    ['deletion', message({ type: 'deleted' })],
    ['empty', message({ text: '  ' })],
    ['empty', message({ text: undefined })],
  ])('ignores it as %s', (reason, input) => {
    expect(messageKind(input, context)).toEqual({ ignored: reason });
  });
});

describe('historyTurns', () => {
  it('puts transcripts back together from their chunks, the agent’s as assistant turns, in order', () => {
    const turns = historyTurns(
      [
        message({ id: 'a', text: 'Hi ', user: { id: 'bob', name: 'Bob' }, chunk_group: 't1', chunk_index: 0 }),
        message({ id: 'b', text: 'what time is it?', user: { id: 'alice', name: 'Alice' } }),
        message({ id: 'c', text: 'there', user: { id: 'bob', name: 'Bob' }, chunk_group: 't1', chunk_index: 1 }),
        message({ id: 'd', text: 'Noon.', user: { id: 'agent' }, custom: { chunk_group: 't2', chunk_index: 0 } }),
        message({ id: 'e', text: 'joined', type: 'system', user: { id: 'alice' } }),
        message({ id: 'f', text: 'gone', type: 'deleted', user: { id: 'alice' } }),
      ],
      'agent',
    );
    expect(turns).toEqual([
      { role: 'user', userId: 'bob', userName: 'Bob', text: 'Hi there' },
      { role: 'user', userId: 'alice', userName: 'Alice', text: 'what time is it?' },
      { role: 'assistant', userId: 'agent', text: 'Noon.' },
    ]);
  });
});
