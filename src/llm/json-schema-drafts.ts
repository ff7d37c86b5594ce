/**
 * The JSON Schema drafts tools may be written in, and the check that a schema is valid for its
 * draft. The check runs each draft's meta-schema, compiled once per process; the schema being
 * checked is only data to it, so nothing of it is compiled, cached or remembered (`$id`s
 * included): checking a million different schemas leaves nothing behind.
 */
import { Ajv, type ErrorObject } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { ValidationError } from '../core/errors.js';
import type { JsonSchema } from './tool.js';

export type JsonSchemaDraft = '7' | '2020-12';

/** `$schema` values accepted, by draft; a schema without `$schema` is draft-07, like Ajv's default. */
const DRAFT_URIS: ReadonlyMap<string, JsonSchemaDraft> = new Map([
  ['http://json-schema.org/draft-07/schema', '7'],
  ['http://json-schema.org/draft-07/schema#', '7'],
  ['https://json-schema.org/draft-07/schema', '7'],
  ['https://json-schema.org/draft-07/schema#', '7'],
  ['https://json-schema.org/draft/2020-12/schema', '2020-12'],
  ['https://json-schema.org/draft/2020-12/schema#', '2020-12'],
]);

/** The options every Ajv of this project uses: provider extensions (`nullable`…) pass, formats are not checked. */
export const AJV_OPTIONS = { allErrors: true, strict: false, useDefaults: true, validateFormats: false, logger: false } as const;

let metaDraft07: Ajv | undefined;
let metaDraft2020: Ajv2020 | undefined;

/** The schema's draft; throws ValidationError at `path` for a `$schema` this project does not support. */
export function draftOf(schema: JsonSchema, path: string): JsonSchemaDraft {
  const declared = schema.$schema;
  if (declared === undefined) return '7';
  const draft = typeof declared === 'string' ? DRAFT_URIS.get(declared) : undefined;
  if (!draft) {
    throw new ValidationError(`${path}.$schema`, `${JSON.stringify(declared)} is not a supported JSON Schema draft; use draft-07 or 2020-12, or leave $schema out`);
  }
  return draft;
}

/** Throws ValidationError at `path` when `schema` breaks its draft's meta-schema. */
export function assertValidForDraft(schema: JsonSchema, draft: JsonSchemaDraft, path: string): void {
  const meta = draft === '2020-12' ? (metaDraft2020 ??= new Ajv2020(AJV_OPTIONS)) : (metaDraft07 ??= new Ajv(AJV_OPTIONS));
  // A copy with `$schema` set explicitly, so Ajv picks the meta-schema it was just given.
  const checked = meta.validateSchema({ ...schema, $schema: meta.defaultMeta() as string });
  if (checked) return;
  const reasons = (meta.errors ?? []).slice(0, 3).map(describeMetaError).join('; ');
  throw new ValidationError(path, `is not a valid JSON Schema: ${reasons}`);
}

function describeMetaError(error: ErrorObject): string {
  const where = error.instancePath === '' ? 'the schema' : error.instancePath.slice(1).replaceAll('/', '.');
  return `${where} ${error.message ?? error.keyword}`;
}
