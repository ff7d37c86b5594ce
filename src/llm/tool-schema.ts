/**
 * A tool's parameter schema, compiled once: the JSON Schema declared to the model and a validator
 * for the arguments the model sends back. Tools may describe their arguments with a zod 4 schema
 * or a plain JSON Schema object; both end up here behind the same two operations.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { z, type ZodType } from 'zod';
import { ValidationError } from '../core/errors.js';
import type { JsonSchema } from './tool.js';

export type ArgumentsCheck = { ok: true; value: unknown } | { ok: false; error: string };

export interface CompiledSchema {
  /** The JSON Schema sent to the model (without `$schema`, which providers do not accept). */
  readonly jsonSchema: JsonSchema;
  /** Checks (and for zod, parses) the model's arguments; never throws. */
  check(args: unknown): Promise<ArgumentsCheck>;
}

/**
 * Compiles `parameters` (zod 4 or JSON Schema). Throws ValidationError at `path` when the schema
 * cannot describe tool arguments: not an object schema, not representable as JSON Schema, or
 * rejected by the JSON Schema compiler.
 */
export function compileSchema(parameters: unknown, path: string): CompiledSchema {
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
  return {
    jsonSchema,
    async check(args) {
      const parsed = await z.safeParseAsync(schema, args);
      if (parsed.success) return { ok: true, value: parsed.data };
      return { ok: false, error: parsed.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`).join('; ') };
    },
  };
}

function compileJsonSchema(schema: JsonSchema, path: string): CompiledSchema {
  requireObjectSchema(schema, path);
  let validate: ValidateFunction;
  try {
    validate = compilerFor(schema).compile(schema);
  } catch (error) {
    throw new ValidationError(path, `is not a valid JSON Schema: ${(error as Error).message}`);
  }
  return {
    jsonSchema: withoutSchemaKeyword(schema),
    async check(args) {
      // Ajv fills defaults in place; the model's object stays untouched.
      const value = structuredClone(args);
      if (validate(value)) return { ok: true, value };
      return { ok: false, error: (validate.errors ?? []).map(describeAjvError).join('; ') };
    },
  };
}

function requireObjectSchema(schema: JsonSchema, path: string): void {
  if (schema.type !== 'object') {
    throw new ValidationError(path, `must describe an object (type "object"), got type ${JSON.stringify(schema.type)}: models pass tool arguments as one object`);
  }
}

function withoutSchemaKeyword(schema: JsonSchema): JsonSchema {
  const { $schema: _ignored, ...rest } = schema;
  return rest;
}

// One compiler per draft, created on first use. `strict: false` lets provider extensions such as
// `propertyOrdering` or `nullable` through; formats are not validated (no format plugin is bundled).
const OPTIONS = { allErrors: true, strict: false, useDefaults: true, validateFormats: false, logger: false } as const;
let draft07: Ajv | undefined;
let draft2020: Ajv2020 | undefined;

function compilerFor(schema: JsonSchema): Ajv | Ajv2020 {
  if (typeof schema.$schema === 'string' && schema.$schema.includes('2020-12')) return (draft2020 ??= new Ajv2020(OPTIONS));
  return (draft07 ??= new Ajv(OPTIONS));
}

function describeAjvError(error: ErrorObject): string {
  const segments = error.instancePath.split('/').slice(1).map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  if (params.missingProperty !== undefined) return `${formatPath([...segments, params.missingProperty])}: is required`;
  if (params.additionalProperty !== undefined) return `${formatPath([...segments, params.additionalProperty])}: is not allowed`;
  return `${formatPath(segments)}: ${error.message ?? error.keyword}`;
}

/** `['items', 0, 'name']` → `items[0].name`; the root is `(arguments)`. */
function formatPath(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return '(arguments)';
  return path
    .map((segment, index) => {
      if (typeof segment === 'number' || /^\d+$/.test(String(segment))) return `[${String(segment)}]`;
      return index === 0 ? String(segment) : `.${String(segment)}`;
    })
    .join('');
}
