/**
 * Errors the HTTP API answers with before a response has started, and their JSON body.
 *
 * The body is `{ error: { code, message, path? } }`; `code`, `message` and `path` are also
 * repeated at the top level, because clients of the completion protocol read `code` and
 * `message` from there.
 */
import type { FastifyError, FastifyReply } from 'fastify';
import { AgentsError } from '../core/errors.js';

export type ApiErrorCode =
  | 'INVALID_REQUEST'
  | 'INVALID_JSON'
  | 'NOT_AUTHENTICATED'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'CONTENT_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'NOT_ACCEPTABLE'
  | 'TOO_MANY_REQUESTS'
  | 'ATTACHMENT_REFUSED'
  | 'ATTACHMENT_FAILED'
  | 'MODERATION_FLAGGED'
  | 'STORE_UNAVAILABLE'
  | 'SERVER_BUSY'
  | 'GENERIC_ERROR';

/** A client mistake (or refusal) with the HTTP status it is answered with. */
export class RequestError extends AgentsError {
  readonly status: number;
  /** The field at fault, e.g. `messages[2].type`. */
  readonly path: string | undefined;
  /** Headers the answer carries, e.g. `retry-after`. */
  readonly headers: Record<string, string>;
  constructor(status: number, code: ApiErrorCode, message: string, path?: string, headers: Record<string, string> = {}) {
    super(message, { code });
    this.status = status;
    this.path = path;
    this.headers = headers;
  }
}

export interface ErrorBody {
  code: string;
  message: string;
  path?: string;
  error: { code: string; message: string; path?: string };
}

export function errorBody(code: string, message: string, path?: string): ErrorBody {
  const detail = path === undefined ? { code, message } : { code, message, path };
  return { ...detail, error: detail };
}

export function sendError(reply: FastifyReply, error: RequestError, headers: Record<string, string> = {}): FastifyReply {
  return reply.code(error.status).headers({ ...error.headers, ...headers }).send(errorBody(error.code, error.message, error.path));
}

/**
 * Fastify's own client errors (body too large, bad JSON, wrong media type) in our shape, and
 * the store being unavailable: a 503 to retry shortly, never a 500, for whatever route needed it.
 */
export function toRequestError(error: FastifyError, bodyLimitBytes: number): RequestError | undefined {
  if (error instanceof RequestError) return error;
  if (error instanceof AgentsError && error.code === 'STORE_UNAVAILABLE') {
    return new RequestError(503, 'STORE_UNAVAILABLE', 'The store (Redis) is unreachable; retry shortly.', undefined, { 'retry-after': '1' });
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new RequestError(413, 'CONTENT_TOO_LARGE', `The body is larger than ${bodyLimitBytes} bytes.`, 'body');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new RequestError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the body as JSON with "Content-Type: application/json".', 'content-type');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new RequestError(400, 'INVALID_JSON', 'The body is empty; send a JSON object.', 'body');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new RequestError(400, 'INVALID_JSON', error.message, 'body');
  }
  if (error instanceof SyntaxError || (error.statusCode === 400 && /JSON|proto|constructor/i.test(error.message))) {
    return new RequestError(400, 'INVALID_JSON', `The body is not valid JSON: ${error.message}`, 'body');
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new RequestError(error.statusCode, 'INVALID_REQUEST', error.message);
  }
  return undefined;
}
