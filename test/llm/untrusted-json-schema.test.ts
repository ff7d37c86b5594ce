/** Schemas from outside the program: bounded, checked against their draft, standing alone. */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import { UNTRUSTED_SCHEMA_LIMITS, untrustedJsonSchema } from '../../src/llm/untrusted-json-schema.js';

const PATH = 'functions[0].parameters';

function nested(levels: number): Record<string, unknown> {
  let schema: Record<string, unknown> = { type: 'string' };
  for (let i = 0; i < levels; i++) schema = { type: 'object', properties: { a: schema } };
  return schema;
}

function refusal(schema: unknown): ValidationError {
  try {
    untrustedJsonSchema(schema, PATH);
  } catch (thrown) {
    if (thrown instanceof ValidationError) return thrown;
    throw thrown;
  }
  throw new Error('the schema was accepted');
}

describe('untrustedJsonSchema', () => {
  it('declares the schema as given (without $schema) and lets any arguments through', async () => {
    const schema = { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { city: { type: 'string' } }, $defs: { x: { type: 'number' } } };
    const compiled = untrustedJsonSchema(schema, PATH);
    expect(compiled.jsonSchema).toEqual({ type: 'object', properties: { city: { type: 'string' } }, $defs: { x: { type: 'number' } } });
    await expect(compiled.check({ city: 3 })).resolves.toEqual({ ok: true, value: { city: 3 } });
  });

  it.each([
    ['#', { type: 'object', properties: { next: { $ref: '#' } } }],
    ['#/$defs/point', { type: 'object', properties: { p: { $ref: '#/$defs/point' } }, $defs: { point: { type: 'object' } } }],
    ['#/definitions/a~1b', { type: 'object', properties: { p: { $ref: '#/definitions/a~1b' } }, definitions: { 'a/b': { type: 'string' } } }],
  ])('accepts a local reference %s, and declares it as given', (_ref, schema) => {
    const before = structuredClone(schema);
    expect(untrustedJsonSchema(schema, PATH).jsonSchema).toEqual(before);
    expect(schema).toEqual(before);
  });

  it('refuses a schema nested past the depth bound, naming where', () => {
    const error = refusal(nested(UNTRUSTED_SCHEMA_LIMITS.maxDepth));
    expect(error.path).toMatch(/^functions\[0\]\.parameters\.properties\.a\.properties\.a/);
    expect(error.message).toContain(`deeper than ${UNTRUSTED_SCHEMA_LIMITS.maxDepth} levels`);
    // 5,000 levels is refused the same way, without overflowing the stack.
    expect(refusal(nested(5_000)).message).toContain('deeper than');
  });

  it('refuses a schema over the size bound, naming it', () => {
    const properties: Record<string, unknown> = {};
    for (let i = 0; i < 400; i++) properties[`field_${i}`] = { type: 'string', description: 'x'.repeat(100) };
    const error = refusal({ type: 'object', properties });
    expect(error.path).toBe(PATH);
    expect(error.message).toMatch(new RegExp(`is \\d+ bytes of JSON; tool parameters may have at most ${UNTRUSTED_SCHEMA_LIMITS.maxBytes} bytes`));
  });

  it('refuses a schema with too many subschemas, naming the bound', () => {
    const properties: Record<string, unknown> = {};
    for (let i = 0; i < UNTRUSTED_SCHEMA_LIMITS.maxNodes; i++) properties[`p${i}`] = {};
    expect(refusal({ type: 'object', properties }).message).toContain(`at most ${UNTRUSTED_SCHEMA_LIMITS.maxNodes}`);
  });

  it.each([
    ['an absolute URI', 'https://example.com/schemas/other'],
    ['a relative URI', 'other.json'],
    ['a pointer to nothing', '#/$defs/missing'],
    ['a pointer to a non-schema value', '#/required/0'],
  ])('refuses a $ref that does not stay inside: %s', (_label, ref) => {
    const error = refusal({ type: 'object', properties: { x: { $ref: ref } }, required: ['x'] });
    expect(error.path).toBe(`${PATH}.properties.x.$ref`);
    expect(error.message).toContain('does not point inside these parameters');
  });

  it('refuses a schema its draft does not allow, and an unknown draft', () => {
    expect(refusal({ type: 'object', properties: { a: { type: 'nonsense' } } }).message).toContain('is not a valid JSON Schema');
    expect(refusal({ $schema: 'http://json-schema.org/draft-04/schema#', type: 'object', properties: {} }).path).toBe(`${PATH}.$schema`);
    expect(refusal({ type: 'string' }).message).toContain('must describe an object');
    expect(refusal([]).path).toBe(PATH);
  });
});
