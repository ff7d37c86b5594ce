/** Collects a stream of LLM events into its final `done` event: the body of every `complete()`. */
import { AgentsError } from '../core/errors.js';
import type { LLMDone, LLMEvent } from './llm.js';

export async function collect(events: AsyncIterable<LLMEvent>): Promise<LLMDone> {
  for await (const event of events) {
    if (event.type === 'done') return event;
  }
  // Every LLM ends its stream with `done`; reaching this is a bug in the provider.
  throw new AgentsError('The LLM stream ended without a done event.', { code: 'LLM_NO_DONE' });
}
