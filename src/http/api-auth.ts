/**
 * The gate of every `/api/v1` route: a known bearer key (401 otherwise) and a token from the
 * key's rate-limit bucket (429 with Retry-After otherwise). Runs in `onRequest`, before the
 * body is read, so a refused client costs no parsing.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKeys, Caller } from './api-keys.js';
import { RequestError, sendError } from './http-errors.js';
import { retryAfterSeconds, type RateLimiter } from './rate-limit.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller of an API route. */
    caller: Caller | null;
  }
}

export function addApiAuth(api: FastifyInstance, keys: ApiKeys, limiter: RateLimiter): void {
  if (!api.hasRequestDecorator('caller')) api.decorateRequest('caller', null);
  api.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const caller = keys.authenticate(request.headers.authorization);
    if (!caller) {
      const message = keys.isEmpty
        ? 'This server has no API keys configured (WORKER_API_KEYS); every request is refused.'
        : 'Send a valid API key as "Authorization: Bearer <key>".';
      return sendError(reply, new RequestError(401, 'NOT_AUTHENTICATED', message), { 'www-authenticate': 'Bearer' });
    }
    const take = await limiter.take(caller.keyId);
    reply.header('ratelimit-limit', String(limiter.burst));
    reply.header('ratelimit-remaining', String(take.remaining));
    if (!take.allowed) {
      const seconds = retryAfterSeconds(take);
      return sendError(reply, new RequestError(429, 'TOO_MANY_REQUESTS', `Rate limit reached for this key; retry in ${seconds} s.`), {
        'retry-after': String(seconds),
      });
    }
    request.caller = caller;
  });
}
