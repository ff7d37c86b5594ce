import { describe, expect, it } from 'vitest';
import { HISTORY_OPENING, historyContext } from '../../src/agent/chat-history-context.js';
import type { ChatHistoryTurn } from '../../src/edge/edge.js';

const turn = (role: 'user' | 'assistant', text: string, userName?: string): ChatHistoryTurn => ({
  role,
  userId: role === 'user' ? (userName ?? 'u').toLowerCase() : 'agent',
  ...(userName ? { userName } : {}),
  text,
});

describe('historyContext', () => {
  it('names each person and keeps the agent’s words as its own', () => {
    expect(historyContext([turn('user', 'hi', 'Ana Maria'), turn('assistant', 'Hello Ana')], { maxMessages: 10, maxChars: 1000 })).toEqual([
      { role: 'user', text: 'Ana Maria: hi' },
      { role: 'assistant', text: 'Hello Ana' },
    ]);
  });

  it('keeps the newest within the count, opening with a user turn when the oldest kept is the agent’s', () => {
    const turns = [turn('user', 'one', 'A'), turn('assistant', 'two'), turn('user', 'three', 'B'), turn('assistant', 'four')];
    expect(historyContext(turns, { maxMessages: 3, maxChars: 1000 })).toEqual([
      { role: 'user', text: HISTORY_OPENING },
      { role: 'assistant', text: 'two' },
      { role: 'user', text: 'B: three' },
      { role: 'assistant', text: 'four' },
    ]);
  });

  it('keeps the newest within the characters, and the end of a newest message too long alone', () => {
    const turns = [turn('user', 'x'.repeat(50), 'A'), turn('user', 'y'.repeat(20), 'B')];
    expect(historyContext(turns, { maxMessages: 10, maxChars: 40 })).toEqual([{ role: 'user', text: 'B: ' + 'y'.repeat(20) }]);
    const long = historyContext([turn('user', 'z'.repeat(100), 'C')], { maxMessages: 10, maxChars: 10 });
    expect(long).toEqual([{ role: 'user', text: '…' + 'z'.repeat(9) }]);
  });
});
