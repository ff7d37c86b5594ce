/**
 * The span of one persistence write of a Conversation (`conversation.sync`): which message,
 * whether it stores the final content, which attempt. Writes run in the background worker, so
 * the hot path (`upsert`) never touches a span; the span is the parent of whatever the store
 * does for that write (Stream Chat's HTTP request, under instrumentation).
 */
import { inSpan } from '../core/tracing.js';
import { CONVERSATION } from '../core/trace-attributes.js';

export type SyncWrite = { kind: 'message'; messageId: string; final: boolean } | { kind: 'indicator' };

export function traceSync<T>(write: SyncWrite, attempt: number, persist: () => Promise<T>): Promise<T> {
  const attributes =
    write.kind === 'message'
      ? { [CONVERSATION.write]: 'message', [CONVERSATION.messageId]: write.messageId, [CONVERSATION.final]: write.final, [CONVERSATION.attempt]: attempt }
      : { [CONVERSATION.write]: 'indicator', [CONVERSATION.attempt]: attempt };
  return inSpan('conversation.sync', { attributes }, persist);
}
