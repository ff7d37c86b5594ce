/**
 * Compiling a tool schema must leave nothing behind once the tool is dropped: agents build their
 * tools again for every call, and every completion request brings its own function schemas.
 * Measured after forced garbage collection, so the figure is what stays reachable.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ToolRegistry } from '../../src/llm/tool-registry.js';
import { untrustedJsonSchema } from '../../src/llm/untrusted-json-schema.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A schema no other call produces: distinct property names and `$id`. */
function distinctSchema(n: number) {
  const properties: Record<string, unknown> = {};
  for (let i = 0; i < 20; i++) properties[`field_${n}_${i}`] = { type: 'string', description: `field ${i} of schema ${n}`, maxLength: 100 + i };
  return { $id: `https://example.com/schemas/${n}`, type: 'object', properties, required: Object.keys(properties).slice(0, 3) };
}

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Heap kept per compiled-and-dropped schema, in bytes, over `count` schemas. */
function retainedPerSchema(count: number, compileAndDrop: (n: number) => void): number {
  for (let n = 0; n < 20; n++) compileAndDrop(-1 - n); // warm up code paths and caches of fixed size
  const before = heapAfterGc();
  for (let n = 0; n < count; n++) compileAndDrop(n);
  return (heapAfterGc() - before) / count;
}

describe('tool schemas are not kept after their tools are dropped', () => {
  it('JSON Schema tools written in the program (compiled to code)', () => {
    const perSchema = retainedPerSchema(200, (n) => {
      const registry = new ToolRegistry([{ name: 'lookup', description: 'Looks up.', parameters: distinctSchema(n), execute: () => 'ok' }]);
      expect(registry.size).toBe(1);
    });
    // A compiler shared across schemas keeps about 20 kilobytes of generated code per schema of this size.
    expect(perSchema).toBeLessThan(4_096);
  });

  it('JSON Schemas from outside the program (checked, never compiled)', () => {
    const perSchema = retainedPerSchema(200, (n) => {
      const registry = new ToolRegistry([{ name: 'lookup', description: 'Looks up.', parameters: untrustedJsonSchema(distinctSchema(n), 'parameters') }]);
      expect(registry.size).toBe(1);
    });
    expect(perSchema).toBeLessThan(4_096);
  });

  it('the same $id in two tools of the program does not clash', () => {
    const schema = () => ({ $id: 'https://example.com/schemas/same', type: 'object', properties: { a: { type: 'string' } } });
    const first = new ToolRegistry([{ name: 'one', description: '', parameters: schema(), execute: () => 1 }]);
    expect(() => new ToolRegistry([{ name: 'two', description: '', parameters: schema(), execute: () => 2 }])).not.toThrow();
    expect(first.size).toBe(1);
  });
});
