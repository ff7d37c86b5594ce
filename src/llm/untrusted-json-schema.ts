/**
 * Tool parameters that come from outside the program, such as the `functions` of a completion
 * request: checked within fixed bounds, passed to the model as given, and never compiled.
 *
 * A JSON Schema compiler generates and keeps code per schema; fed from requests it grows without
 * bound, takes seconds on one large schema, and shares `$id`s between callers. So a schema from
 * outside is only measured (size, nesting, number of subschemas: 400s that name the bound),
 * checked against its draft's meta-schema (data to an already compiled validator, nothing kept),
 * and checked to stand alone (every `$ref` points inside it). The model gets it as it came.
 *
 * The arguments the model sends back are not checked against it: the tools such schemas
 * describe either answer with data fixed by the caller whatever the arguments, or are run by the
 * caller, who checks them with its own code. Checking them here would mean evaluating the
 * caller's patterns and keywords on model output (catastrophic backtracking, quadratic
 * `uniqueItems`) for nothing.
 */
import { ValidationError } from '../core/errors.js';
import { pathDeeperThan } from '../core/json-depth.js';
import { assertValidForDraft, draftOf } from './json-schema-drafts.js';
import { compiledSchema, formatPath, requireObjectSchema, withoutSchemaKeyword, type CompiledSchema } from './tool-schema.js';
import type { JsonSchema } from './tool.js';

export interface UntrustedSchemaLimits {
  /** Its JSON, in UTF-8 bytes. */
  maxBytes: number;
  /** Objects and arrays inside one another; the schema itself is level 1. */
  maxDepth: number;
  /** Objects and arrays in all. */
  maxNodes: number;
}

/** Generous for real tools (a large one is a few kilobytes), small enough to check in well under a millisecond. */
export const UNTRUSTED_SCHEMA_LIMITS: Readonly<UntrustedSchemaLimits> = { maxBytes: 32 * 1024, maxDepth: 32, maxNodes: 2_000 };

/**
 * Checks `schema` (see the file comment) and returns it ready to declare. Throws ValidationError
 * at `path`, or at the offending place inside it, naming the bound or rule it breaks.
 */
export function untrustedJsonSchema(schema: unknown, path: string, limits: UntrustedSchemaLimits = UNTRUSTED_SCHEMA_LIMITS): CompiledSchema {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new ValidationError(path, 'must be a JSON Schema object ({ type: "object", properties })');
  }
  const tooDeep = pathDeeperThan(schema, limits.maxDepth);
  if (tooDeep) throw new ValidationError(at(path, tooDeep), `nests deeper than ${limits.maxDepth} levels, the limit for tool parameters`);
  const bytes = Buffer.byteLength(JSON.stringify(schema));
  if (bytes > limits.maxBytes) {
    throw new ValidationError(path, `is ${bytes} bytes of JSON; tool parameters may have at most ${limits.maxBytes} bytes`);
  }
  const nodes = countContainers(schema);
  if (nodes > limits.maxNodes) {
    throw new ValidationError(path, `has ${nodes} objects and arrays; tool parameters may have at most ${limits.maxNodes}`);
  }
  const jsonSchema = schema as JsonSchema;
  requireObjectSchema(jsonSchema, path);
  assertValidForDraft(jsonSchema, draftOf(jsonSchema, path), path);
  assertSelfContained(jsonSchema, path);
  return compiledSchema(withoutSchemaKeyword(jsonSchema), async (args) => ({ ok: true, value: args }));
}

/** Every `$ref` is `#` or a JSON pointer (`#/$defs/x`) to a place inside the schema itself. */
function assertSelfContained(schema: JsonSchema, path: string): void {
  const visit = (value: unknown, where: PropertyKey[]): void => {
    if (typeof value !== 'object' || value === null) return;
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string' && !Array.isArray(value)) {
        if (!resolvesInside(schema, child)) {
          throw new ValidationError(at(path, [...where, '$ref']), `${JSON.stringify(child)} does not point inside these parameters; use a local reference such as "#/$defs/name"`);
        }
      } else visit(child, [...where, Array.isArray(value) ? Number(key) : key]);
    }
  };
  // Depth is bounded by the check before, so this recursion is too.
  visit(schema, []);
}

function resolvesInside(root: unknown, ref: string): boolean {
  if (ref === '#') return true;
  if (!ref.startsWith('#/')) return false;
  let target: unknown = root;
  for (const encoded of ref.slice(2).split('/')) {
    let token: string;
    try {
      token = decodeURIComponent(encoded).replaceAll('~1', '/').replaceAll('~0', '~');
    } catch {
      return false;
    }
    if (typeof target !== 'object' || target === null || !Object.hasOwn(target, token)) return false;
    target = (target as Record<string, unknown>)[token];
  }
  return typeof target === 'object' && target !== null;
}

function countContainers(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let count = 1;
  for (const child of Object.values(value)) count += countContainers(child);
  return count;
}

function at(path: string, inside: PropertyKey[]): string {
  return inside.length === 0 ? path : `${path}.${formatPath(inside)}`;
}
