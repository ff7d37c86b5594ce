/**
 * A bound on how deeply a request body nests. Everything after parsing (validation, masking,
 * copying, the model SDK's conversions) walks values recursively, and a body of a few thousand
 * nested arrays overflows the stack there; so every JSON body is measured once, right after
 * parsing, and one nested deeper than the bound is a 400 that names where.
 */
import { pathDeeperThan } from '../core/json-depth.js';
import { formatIssuePath } from './field-path.js';
import { RequestError } from './http-errors.js';

/** Levels of objects and arrays a body may nest (the body itself is level 1); real bodies use under 10. */
export const MAX_BODY_DEPTH = 64;

/** Segments of the offending path that the error names; past them it says `…`. */
const NAMED_SEGMENTS = 12;

/** The path of a value deeper than MAX_BODY_DEPTH levels below `base`, formatted, or undefined. */
export function tooDeepPath(value: unknown, base: readonly PropertyKey[] = []): string | undefined {
  const inside = pathDeeperThan(value, MAX_BODY_DEPTH - base.length);
  if (!inside) return undefined;
  const path = [...base, ...inside];
  return formatIssuePath(path.slice(0, NAMED_SEGMENTS)) + (path.length > NAMED_SEGMENTS ? '…' : '');
}

/** Throws a 400 naming the place when `body` nests deeper than MAX_BODY_DEPTH. */
export function assertBodyDepth(body: unknown): void {
  const path = tooDeepPath(body);
  if (path !== undefined) throw tooDeepError(path);
}

export function tooDeepError(path: string): RequestError {
  return new RequestError(400, 'INVALID_REQUEST', `${path}: nests deeper than ${MAX_BODY_DEPTH} levels of objects and arrays, the limit for a request`, path);
}
