/**
 * The call chat's earlier messages as the model's context for a joining agent: the newest that
 * fit both bounds (count and characters), oldest first, each person's with their name. A
 * transcript already put together from its chunks counts as one message.
 */
import type { ChatHistoryTurn } from '../edge/edge.js';
import type { ContextTurn } from '../llm/realtime.js';
import type { ChatHistoryLimits } from './chat-settings.js';

/** Opens the context when its oldest kept turn is the agent's: models expect a user's turn first. */
export const HISTORY_OPENING = '(The conversation so far in this call, from its chat.)';

export function historyContext(turns: readonly ChatHistoryTurn[], limits: ChatHistoryLimits): ContextTurn[] {
  const kept: ContextTurn[] = [];
  let chars = 0;
  for (let index = turns.length - 1; index >= 0 && kept.length < limits.maxMessages; index--) {
    const turn = turns[index]!;
    const text = turn.role === 'user' ? `${(turn.userName ?? turn.userId).replace(/\s+/g, ' ')}: ${turn.text}` : turn.text;
    const room = limits.maxChars - chars;
    if (text.length > room) {
      // The newest message alone is too long: its end is kept, the part nearest the present.
      if (kept.length === 0 && room > 1) kept.push({ role: turn.role, text: `…${text.slice(text.length - room + 1)}` });
      break;
    }
    chars += text.length;
    kept.push({ role: turn.role, text });
  }
  kept.reverse();
  if (kept[0]?.role === 'assistant') kept.unshift({ role: 'user', text: HISTORY_OPENING });
  return kept;
}
