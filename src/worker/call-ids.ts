/**
 * The identifiers in a session URL, checked before anything else happens: a call type and id
 * as Stream accepts them (the rule every part of the project uses, src/core/call-ids.ts), and
 * a session id as this worker issues them (a UUID). A bad one is a 400 naming the parameter
 * and the rule, never a 404 or a 500 further down.
 */
import { invalidCallId, invalidCallType, isCallId, isCallType } from '../core/call-ids.js';
import { RequestError } from '../http/http-errors.js';

const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface CallRef {
  type: string;
  id: string;
}

export function parseCall(params: { callType?: string; callId?: string }): CallRef {
  const type = params.callType ?? '';
  const id = params.callId ?? '';
  if (!isCallType(type)) throw new RequestError(400, 'INVALID_REQUEST', `${invalidCallType(type)}.`, 'callType');
  if (!isCallId(id)) throw new RequestError(400, 'INVALID_REQUEST', `${invalidCallId(id)}.`, 'callId');
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
