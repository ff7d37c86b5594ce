/**
 * Tool declarations for the Gemini Live API.
 *
 * Live ignores `parametersJsonSchema` (the model then calls tools with empty arguments:
 * googleapis/python-genai#1147), so tools must be declared through `parameters`, which takes
 * the OpenAPI subset Gemini calls `Schema`. The SDK upper-cases types and turns `type: [x,
 * 'null']` into `nullable` for us, but passes every other key through, and the service rejects
 * the whole setup for a key it does not know. So we keep only the keys `Schema` has, turn the
 * common JSON Schema idioms into their `Schema` form, and drop the rest (validation still
 * happens on our side: the registry checks arguments against the full schema before `execute`).
 */
import type { FunctionDeclaration } from '@google/genai';
import type { JsonSchema, ToolDeclaration } from '../tool.js';

/** Keys of Gemini's `Schema` whose value is a plain value (not a nested schema). */
const PLAIN_KEYS = new Set([
  'type',
  'title',
  'description',
  'nullable',
  'required',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'maximum',
  'default',
  'example',
  'propertyOrdering',
]);

/** `format` values Gemini accepts; others (email, uri, …) are dropped rather than rejected. */
const FORMATS = new Set(['enum', 'date-time', 'int32', 'int64', 'float', 'double']);

/** Deeper than this is almost certainly a recursive `$ref`; the rest is left out. */
const MAX_DEPTH = 16;

export function toLiveFunctionDeclaration(declaration: ToolDeclaration): FunctionDeclaration {
  const parameters = toLiveSchema(declaration.parameters);
  const hasParameters = Object.keys((parameters.properties as object | undefined) ?? {}).length > 0;
  return {
    name: declaration.name,
    description: declaration.description,
    // An object without properties is declared as no parameters: Gemini rejects empty objects.
    ...(hasParameters ? { parameters: parameters as FunctionDeclaration['parameters'] } : {}),
  };
}

/** Reduces a JSON Schema to the keys Gemini's `Schema` understands. Never mutates its input. */
export function toLiveSchema(schema: JsonSchema): JsonSchema {
  return convert(schema, schema, 0);
}

function convert(schema: JsonSchema, root: JsonSchema, depth: number): JsonSchema {
  const resolved = resolveRef(schema, root);
  if (depth > MAX_DEPTH || resolved === undefined) return {};

  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(resolved)) {
    if (value === undefined || value === null) continue;
    if (PLAIN_KEYS.has(key)) out[key] = value;
    else if (key === 'format' && typeof value === 'string' && FORMATS.has(value)) out[key] = value;
    else if (key === 'enum' && Array.isArray(value)) out.enum = value.filter((item) => item !== null).map(String);
    else if (key === 'const') out.enum = [String(value)];
    else if (key === 'items' && isObject(value)) out.items = convert(value, root, depth + 1);
    else if (key === 'properties' && isObject(value)) {
      out.properties = Object.fromEntries(
        Object.entries(value).filter(([, child]) => isObject(child)).map(([name, child]) => [name, convert(child as JsonSchema, root, depth + 1)]),
      );
    } else if ((key === 'anyOf' || key === 'oneOf') && Array.isArray(value)) {
      out.anyOf = value.filter(isObject).map((option) => convert(option, root, depth + 1));
    }
  }
  // `enum`/`const` values are strings for Gemini, and an enum needs the STRING type.
  if (out.enum !== undefined && !Array.isArray(out.type)) out.type = 'string';
  // Gemini's Schema rejects `type` together with `anyOf`; the alternatives carry their own types.
  if (out.anyOf !== undefined) delete out.type;
  return out;
}

/** Follows a local `$ref` (`#/$defs/X`, `#/definitions/X`); sibling keys override the target's. */
function resolveRef(schema: JsonSchema, root: JsonSchema): JsonSchema | undefined {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  if (!ref.startsWith('#/')) return undefined;
  let target: unknown = root;
  for (const segment of ref.slice(2).split('/')) {
    target = isObject(target) ? target[segment.replaceAll('~1', '/').replaceAll('~0', '~')] : undefined;
  }
  if (!isObject(target)) return undefined;
  const { $ref: _ref, ...siblings } = schema;
  return { ...target, ...siblings };
}

function isObject(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
