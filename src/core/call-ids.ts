/**
 * What a call type and a call id may be, as Stream accepts them, in one place: the edge checks
 * a call before it asks Stream for it, the worker checks the ids in a session URL, the command
 * line checks `--call-type` and `--call-id`, and a conversation id follows the call id's rule
 * (a call's transcript is the chat channel with the call's id).
 */

/** Call types: lowercase letters, digits, `_` and `-`, at most 64 (`default`, `audio_room`). */
export const CALL_TYPE_PATTERN = /^[a-z0-9_-]{1,64}$/;
/** Call ids (and chat channel ids): letters, digits, `_` and `-`, at most 64. */
export const CALL_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** The rules in words, for error messages. */
export const CALL_TYPE_RULE = '1-64 of a-z, 0-9, "_" and "-"';
export const CALL_ID_RULE = '1-64 of A-Z, a-z, 0-9, "_" and "-"';

export function isCallType(value: unknown): value is string {
  return typeof value === 'string' && CALL_TYPE_PATTERN.test(value);
}

export function isCallId(value: unknown): value is string {
  return typeof value === 'string' && CALL_ID_PATTERN.test(value);
}

/** What is wrong with a value that is not a call type, quoting (a little of) it, for an error message. */
export function invalidCallType(value: unknown): string {
  return `call type ${quote(value)} is invalid: use ${CALL_TYPE_RULE}`;
}

/** What is wrong with a value that is not a call id, quoting (a little of) it, for an error message. */
export function invalidCallId(value: unknown): string {
  return `call id ${quote(value)} is invalid: use ${CALL_ID_RULE}`;
}

/** Echo at most a little of what was given. */
function quote(value: unknown): string {
  if (typeof value !== 'string') return value === undefined ? 'undefined' : `${JSON.stringify(value) ?? String(value)}`;
  return JSON.stringify(value.length > 70 ? `${value.slice(0, 64)}…` : value);
}
