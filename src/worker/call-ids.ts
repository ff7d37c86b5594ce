/**
 * The identifiers in a session URL, checked before anything else happens: a call type and id
 * as Stream accepts them, and a session id as this worker issues them (a UUID). A bad one is
 * a 400 naming the parameter and the rule, never a 404 or a 500 further down.
 */
import { RequestError } from '../http/http-errors.js';

/** Stream call types: lowercase letters, digits, `_` and `-`. */
const CALL_TYPE = /^[a-z0-9_-]{1,64}$/;
/** Stream call ids: letters, digits, `_` and `-`, at most 64. */
const CALL_ID = /^[A-Za-z0-9_-]{1,64}$/;
const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface CallRef {
  type: string;
  id: string;
}

export function parseCall(params: { callType?: string; callId?: string }): CallRef {
  const type = params.callType ?? '';
  const id = params.callId ?? '';
  if (!CALL_TYPE.test(type)) {
    throw new RequestError(400, 'INVALID_REQUEST', `callType "${clip(type)}" is invalid: use 1-64 of a-z, 0-9, "_" and "-".`, 'callType');
  }
  if (!CALL_ID.test(id)) {
    throw new RequestError(400, 'INVALID_REQUEST', `callId "${clip(id)}" is invalid: use 1-64 of A-Z, a-z, 0-9, "_" and "-".`, 'callId');
  }
  return { type, id };
}

export function parseSessionId(value: string | undefined): string {
  const sessionId = (value ?? '').toLowerCase();
  if (!SESSION_ID.test(sessionId)) {
    throw new RequestError(400, 'INVALID_REQUEST', `sessionId "${clip(value ?? '')}" is invalid: it is the UUID returned when the session was created.`, 'sessionId');
  }
  return sessionId;
}

/** Echo at most a little of what the client sent. */
function clip(value: string): string {
  return value.length > 70 ? `${value.slice(0, 64)}…` : value;
}
