/** The transcript's unit, and the validation of what callers ask to write into it. */
import { ValidationError } from '../core/errors.js';

export const ROLES = ['user', 'assistant', 'system', 'tool'] as const;
export type Role = (typeof ROLES)[number];

export interface Message {
  id: string;
  role: Role;
  /** Who said it: the participant's user id, or the agent's. */
  userId: string;
  content: string;
  /** When the message was created. */
  timestamp: Date;
  /** No more deltas will be applied. */
  completed: boolean;
  /** The agent was cut off (barge-in); `content` is what it actually said. */
  interrupted?: boolean;
  /** The provider's own payload, kept for whoever needs more than the text. */
  original?: unknown;
}

export interface UpsertInput {
  /** Omit to create a new message with a generated id. */
  id?: string;
  role: Role;
  userId: string;
  /** A delta to append, or the whole text with `replace`. */
  content: string;
  /**
   * Position of this delta in its stream, from 0. Deltas arriving out of order wait until
   * every earlier index has been applied.
   */
  contentIndex?: number;
  /** Finalises the message; later deltas are ignored. */
  completed?: boolean;
  /** `content` replaces the text instead of being appended. */
  replace?: boolean;
  interrupted?: boolean;
  original?: unknown;
  /**
   * The message is in the store already (a person typed it into the chat): it is kept in memory
   * like any other, and never written. Only when creating a complete message.
   */
  stored?: boolean;
}

const MAX_ID_LENGTH = 200;
const ROLE_SET: ReadonlySet<string> = new Set(ROLES);
const NOT_BLANK = /\S/;

/**
 * Throws a ValidationError naming the first field that is wrong. Hand-written rather than a
 * schema because it runs on every streaming delta and must cost well under a microsecond.
 */
export function validateUpsert(input: unknown): asserts input is UpsertInput {
  if (typeof input !== 'object' || input === null) throw new ValidationError('input', 'must be an object');
  const value = input as Record<string, unknown>;
  if (value.id !== undefined && (typeof value.id !== 'string' || value.id.length === 0 || value.id.length > MAX_ID_LENGTH)) {
    throw new ValidationError('id', `must be a non-empty string of at most ${MAX_ID_LENGTH} characters`);
  }
  if (typeof value.role !== 'string' || !ROLE_SET.has(value.role)) {
    throw new ValidationError('role', `must be one of ${ROLES.join(', ')}; got ${JSON.stringify(value.role)}`);
  }
  if (typeof value.userId !== 'string' || !NOT_BLANK.test(value.userId)) {
    throw new ValidationError('userId', 'must be a non-empty string');
  }
  if (typeof value.content !== 'string') {
    throw new ValidationError('content', `must be a string; got ${value.content === null ? 'null' : typeof value.content}`);
  }
  const index = value.contentIndex;
  if (index !== undefined && (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0)) {
    throw new ValidationError('contentIndex', `must be an integer >= 0; got ${String(index)}`);
  }
  assertOptionalBoolean(value.completed, 'completed');
  assertOptionalBoolean(value.replace, 'replace');
  assertOptionalBoolean(value.interrupted, 'interrupted');
  assertOptionalBoolean(value.stored, 'stored');
  if (value.stored === true && value.completed !== true) throw new ValidationError('stored', 'a stored message must be complete: set completed: true');
}

function assertOptionalBoolean(value: unknown, path: string): void {
  if (value !== undefined && typeof value !== 'boolean') throw new ValidationError(path, 'must be a boolean');
}
