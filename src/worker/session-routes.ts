/**
 * The sessions API:
 * - `POST   /calls/{callType}/{callId}/sessions` → 201 `{ sessionId, callType, callId, nodeId,
 *   state, startedAt, closeToken }` once the agent has joined;
 * - `GET    /calls/{callType}/{callId}/sessions/{sessionId}` → the record, from any node;
 * - `DELETE /calls/{callType}/{callId}/sessions/{sessionId}` → 202, closed by the node running it;
 * - `POST   /calls/{callType}/{callId}/sessions/{sessionId}/close` → the same, for
 *   `navigator.sendBeacon`, which cannot send headers: it takes the bearer key *or* the session's
 *   `closeToken` (`?token=`, or a `token` field in a form or JSON body);
 * - `GET    /calls/{callType}/{callId}/sessions/{sessionId}/metrics` → the session's figures.
 *
 * Every route but the beacon needs a bearer key (WORKER_API_KEYS) and takes a token from the
 * key's rate-limit bucket; then the optional `authorizeCall` hook decides per call (403).
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SessionRecord } from '../store/session-store.js';
import type { ApiKeys } from '../http/api-keys.js';
import { RequestError } from '../http/http-errors.js';
import type { RateLimiter } from '../http/rate-limit.js';
import { retryAfterSeconds } from '../http/rate-limit.js';
import { addApiAuth } from '../http/api-auth.js';
import { parseCall, parseSessionId, type CallRef } from './call-ids.js';
import { hashCloseToken, type SessionManager } from './session-manager.js';
import { answerSessionErrors, HttpProblem } from './session-problems.js';

/** Decides whether the authenticated request may act on `call`; false answers 403. */
export type AuthorizeCall = (request: FastifyRequest, call: CallRef) => boolean | Promise<boolean>;

export interface SessionRoutesOptions {
  manager: SessionManager;
  keys: ApiKeys;
  limiter: RateLimiter;
  authorizeCall?: AuthorizeCall;
}

const SESSIONS = '/calls/:callType/:callId/sessions';
const SESSION = `${SESSIONS}/:sessionId`;

type CallParams = { callType?: string; callId?: string };
type SessionParams = CallParams & { sessionId?: string };

export async function registerSessionRoutes(app: FastifyInstance, options: SessionRoutesOptions): Promise<void> {
  const { manager } = options;

  await app.register(async (api) => {
    acceptEmptyBodies(api);
    answerSessionErrors(api);
    addApiAuth(api, options.keys, options.limiter);

    api.post<{ Params: CallParams }>(SESSIONS, async (request, reply) => {
      const call = await authorizedCall(request, options);
      const started = await manager.start(call);
      return reply.code(201).header('location', `/calls/${call.type}/${call.id}/sessions/${started.sessionId}`).send(started);
    });

    api.get<{ Params: SessionParams }>(SESSION, async (request) => {
      const call = await authorizedCall(request, options);
      return publicSession(await findSession(manager, call, request.params.sessionId));
    });

    api.delete<{ Params: SessionParams }>(SESSION, async (request, reply) => {
      const call = await authorizedCall(request, options);
      return closeSession(manager, call, request.params.sessionId, reply);
    });

    api.get<{ Params: SessionParams }>(`${SESSION}/metrics`, async (request) => {
      const call = await authorizedCall(request, options);
      const sessionId = (await findSession(manager, call, request.params.sessionId)).sessionId;
      const found = await manager.figures(sessionId);
      if (!found) throw notFound(call, sessionId);
      return { ...publicSession(found.record), live: found.live, figures: found.figures };
    });
  });

  await app.register(async (beacon) => {
    acceptEmptyBodies(beacon);
    answerSessionErrors(beacon);
    // sendBeacon with URLSearchParams or FormData-as-text sends a form.
    beacon.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    beacon.post<{ Params: SessionParams; Querystring: { token?: unknown } }>(`${SESSION}/close`, async (request, reply) => {
      const call = parseCall(request.params);
      const sessionId = parseSessionId(request.params.sessionId);
      if (request.headers.authorization !== undefined) {
        await authenticateBearer(request, options);
        await authorize(request, call, options);
      } else {
        const token = tokenOf(request.query.token) ?? tokenOf((request.body as { token?: unknown } | undefined)?.token);
        if (!token) {
          throw new HttpProblem(401, 'NOT_AUTHENTICATED', 'Send the bearer key, or the closeToken of the session as ?token=.', {
            'www-authenticate': 'Bearer',
          });
        }
        const record = await findSession(manager, call, sessionId);
        if (!tokenMatches(token, record)) throw new HttpProblem(403, 'FORBIDDEN', 'The token is not the closeToken of this session.');
      }
      return closeSession(manager, call, sessionId, reply);
    });
  });
}

/** The call in the URL, validated (400) and authorised by the hook (403). */
async function authorizedCall(request: FastifyRequest<{ Params: CallParams }>, options: SessionRoutesOptions): Promise<CallRef> {
  const call = parseCall(request.params);
  await authorize(request, call, options);
  return call;
}

async function authorize(request: FastifyRequest, call: CallRef, options: SessionRoutesOptions): Promise<void> {
  if (!options.authorizeCall) return;
  if (!(await options.authorizeCall(request, call))) {
    throw new HttpProblem(403, 'FORBIDDEN', `This key may not act on call ${call.type}:${call.id}.`);
  }
}

/** The same gate as addApiAuth (401, then the key's rate limit), for the one route where the key is optional. */
async function authenticateBearer(request: FastifyRequest, options: SessionRoutesOptions): Promise<void> {
  const caller = options.keys.authenticate(request.headers.authorization);
  if (!caller) {
    throw new HttpProblem(401, 'NOT_AUTHENTICATED', 'Send a valid API key as "Authorization: Bearer <key>".', { 'www-authenticate': 'Bearer' });
  }
  const take = await options.limiter.take(caller.keyId);
  if (!take.allowed) {
    const seconds = retryAfterSeconds(take);
    throw new HttpProblem(429, 'TOO_MANY_REQUESTS', `Rate limit reached for this key; retry in ${seconds} s.`, { 'retry-after': String(seconds) });
  }
  request.caller = caller;
}

async function findSession(manager: SessionManager, call: CallRef, rawSessionId: string | undefined): Promise<SessionRecord> {
  const sessionId = parseSessionId(rawSessionId);
  const record = await manager.get(sessionId);
  // A session of another call is as unknown here as one that never existed.
  if (!record || record.callType !== call.type || record.callId !== call.id) throw notFound(call, sessionId);
  return record;
}

async function closeSession(manager: SessionManager, call: CallRef, rawSessionId: string | undefined, reply: FastifyReply) {
  const sessionId = (await findSession(manager, call, rawSessionId)).sessionId;
  const record = await manager.requestClose(sessionId);
  if (!record) throw notFound(call, sessionId);
  return reply.code(202).send(publicSession(record));
}

function notFound(call: CallRef, sessionId: string): RequestError {
  return new RequestError(
    404,
    'NOT_FOUND',
    `Call ${call.type}:${call.id} has no session ${sessionId} (ended sessions are forgotten after a while).`,
    'sessionId',
  );
}

/** The record without what clients must not see (the close token's hash) or asked for separately (figures). */
function publicSession(record: SessionRecord) {
  const { closeTokenHash: _hash, figures: _figures, ...visible } = record;
  return visible;
}

function tokenMatches(token: string, record: SessionRecord): boolean {
  if (!record.closeTokenHash) return false;
  const presented = Buffer.from(hashCloseToken(token), 'hex');
  const expected = Buffer.from(record.closeTokenHash, 'hex');
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

/** A token as sent once: a repeated `?token=` (an array) or a non-string is no token. */
function tokenOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * `fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' } })` with no
 * body is common and harmless here: these routes read no JSON, so an empty one is fine.
 */
function acceptEmptyBodies(scope: FastifyInstance): void {
  scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = (body as string).trim();
    if (text === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(new RequestError(400, 'INVALID_JSON', `The body is not valid JSON: ${(error as Error).message}`, 'body'), undefined);
    }
  });
}
