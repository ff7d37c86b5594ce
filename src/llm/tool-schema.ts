/**
 * A tool's parameter schema, compiled once: the JSON Schema declared to the model and a check of
 * the arguments the model sends back. Tools may describe their arguments with a zod 4 schema, a
 * plain JSON Schema object, or a schema compiled ahead (`untrustedJsonSchema` for schemas from
 * outside the program); all end up here behind the same two operations.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { z, type ZodType } from 'zod';
import { ValidationError } from '../core/errors.js';
import { AJV_OPTIONS, assertValidForDraft, draftOf } from './json-schema-drafts.js';
import type { JsonSchema } from './tool.js';

export type ArgumentsCheck = { ok: true; value: unknown } | { ok: false; error: string };

const COMPILED = Symbol('compiled tool schema');

export interface CompiledSchema {
  /** Marks a schema that needs no further compiling (no JSON value can carry it). */
  readonly [COMPILED]: true;
  /** The JSON Schema sent to the model (without `$schema`, which providers do not accept). */
  readonly jsonSchema: JsonSchema;
  /** Checks (and for zod, parses) the model's arguments; never throws. */
  check(args: unknown): Promise<ArgumentsCheck>;
}

/** A CompiledSchema from its declaration and its check. */
export function compiledSchema(jsonSchema: JsonSchema, check: (args: unknown) => Promise<ArgumentsCheck>): CompiledSchema {
  return { [COMPILED]: true, jsonSchema, check };
}

export function isCompiledSchema(value: unknown): value is CompiledSchema {
  return typeof value === 'object' && value !== null && (value as Partial<CompiledSchema>)[COMPILED] === true;
}

/**
 * Compiles `parameters` (zod 4, JSON Schema, or already compiled). Throws ValidationError at
 * `path` when the schema cannot describe tool arguments: not an object schema, not
 * representable as JSON Schema, or not valid JSON Schema.
 */
export function compileSchema(parameters: unknown, path: string): CompiledSchema {
  if (isCompiledSchema(parameters)) return parameters;
  if (isZodSchema(parameters)) return compileZod(parameters, path);
  if (isPlainObject(parameters)) return compileJsonSchema(parameters, path);
  throw new ValidationError(path, 'must be a zod 4 schema or a JSON Schema object ({ type: "object", properties })');
}

/** zod 4 schemas (classic and mini) carry their internals under `_zod`; zod 3 ones do not. */
function isZodSchema(value: unknown): value is ZodType {
  return typeof value === 'object' && value !== null && '_zod' in value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function compileZod(schema: ZodType, path: string): CompiledSchema {
  let converted: JsonSchema;
  try {
    // 'input' describes what the model must send: fields with defaults are optional.
    converted = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'throw' }) as JsonSchema;
  } catch (error) {
    throw new ValidationError(path, `cannot be expressed as JSON Schema for the model (${(error as Error).message}); use JSON-compatible zod types`);
  }
  const jsonSchema = withoutSchemaKeyword(converted);
  requireObjectSchema(jsonSchema, path);
  return compiledSchema(jsonSchema, async (args) => {
    const parsed = await z.safeParseAsync(schema, args);
    if (parsed.success) return { ok: true, value: parsed.data };
    return { ok: false, error: parsed.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`).join('; ') };
  });
}

/**
 * A JSON Schema written in the program (a bot's or an agent's tool), compiled to code by Ajv.
 * Each schema gets a compiler of its own, dropped with it: a shared one would keep every schema
 * it ever compiled (an agent per call builds its tools again) and refuse a second schema with
 * the same `$id`. Validity is checked against the draft's meta-schema first, by the shared
 * checker, so the per-schema compiler needs no meta-schema of its own.
 */
function compileJsonSchema(schema: JsonSchema, path: string): CompiledSchema {
  requireObjectSchema(schema, path);
  const draft = draftOf(schema, path);
  assertValidForDraft(schema, draft, path);
  const options = { ...AJV_OPTIONS, meta: false, validateSchema: false } as const;
  let validate: ValidateFunction;
  try {
    validate = (draft === '2020-12' ? new Ajv2020(options) : new Ajv(options)).compile(schema);
  } catch (error) {
    throw new ValidationError(path, `is not a valid JSON Schema: ${(error as Error).message}`);
  }
  return compiledSchema(withoutSchemaKeyword(schema), async (args) => {
    // Ajv fills defaults in place; the model's object stays untouched.
    const value = structuredClone(args);
    if (validate(value)) return { ok: true, value };
    return { ok: false, error: (validate.errors ?? []).map(describeAjvError).join('; ') };
  });
}

export function requireObjectSchema(schema: JsonSchema, path: string): void {
  if (schema.type !== 'object') {
    throw new ValidationError(path, `must describe an object (type "object"), got type ${JSON.stringify(schema.type)}: models pass tool arguments as one object`);
  }
}

export function withoutSchemaKeyword(schema: JsonSchema): JsonSchema {
  const { $schema: _ignored, ...rest } = schema;
  return rest;
}

function describeAjvError(error: ErrorObject): string {
  const segments = error.instancePath.split('/').slice(1).map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  if (params.missingProperty !== undefined) return `${formatPath([...segments, params.missingProperty])}: is required`;
  if (params.additionalProperty !== undefined) return `${formatPath([...segments, params.additionalProperty])}: is not allowed`;
  return `${formatPath(segments)}: ${error.message ?? error.keyword}`;
}

/** `['items', 0, 'name']` → `items[0].name`; the root is `(arguments)`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return '(arguments)';
  return path
    .map((segment, index) => {
      if (typeof segment === 'number' || /^\d+$/.test(String(segment))) return `[${String(segment)}]`;
      return index === 0 ? String(segment) : `.${String(segment)}`;
    })
    .join('');
}
