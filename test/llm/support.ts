/** Small builders shared by the LLM tests. */
import type { LLMEvent, LLMMessage } from '../../src/llm/llm.js';

export const user = (text: string): LLMMessage => ({ role: 'user', content: [{ type: 'text', text }] });

export async function drain(stream: AsyncIterable<LLMEvent>): Promise<LLMEvent[]> {
  const events: LLMEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

export function ofType<T extends LLMEvent['type']>(events: LLMEvent[], type: T): Extract<LLMEvent, { type: T }>[] {
  return events.filter((event): event is Extract<LLMEvent, { type: T }> => event.type === type);
}
