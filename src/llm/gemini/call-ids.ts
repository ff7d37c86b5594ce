/**
 * Gemini's text API often sends function calls without an id, but our ToolCall needs one to pair
 * a call with its result. We make one up, recognisably, so that when the call is replayed to
 * Gemini the id it never issued is left out again.
 */
import { randomUUID } from 'node:crypto';

const GENERATED_PREFIX = 'gemini-local-';

export function generateCallId(): string {
  return `${GENERATED_PREFIX}${randomUUID()}`;
}

/** The id to send back to Gemini: its own, or none for one we generated. */
export function wireCallId(id: string): string | undefined {
  return id === '' || id.startsWith(GENERATED_PREFIX) ? undefined : id;
}
