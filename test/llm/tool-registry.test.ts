import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationError } from '../../src/core/errors.js';
import { ToolRegistry } from '../../src/llm/tool-registry.js';
import type { ToolCall, ToolDefinition } from '../../src/llm/tool.js';

/** Promise.withResolvers is Node 22+. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

const call = (name: string, args: Record<string, unknown> = {}, id = `call-${name}`): ToolCall => ({ id, name, arguments: args });

const weather: ToolDefinition<{ city: string; days: number }> = {
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: z.object({ city: z.string(), days: z.number().int().default(1) }),
  execute: ({ city, days }) => ({ city, days, sky: 'clear' }),
};

const booking: ToolDefinition = {
  name: 'book_table',
  description: 'Books a table',
  parameters: {
    type: 'object',
    properties: {
      guests: { type: 'integer', minimum: 1 },
      place: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
    required: ['guests', 'place'],
  },
  execute: (args) => ({ booked: args }),
};

describe('ToolRegistry validation', () => {
  it('parses zod arguments (defaults applied) before execute', async () => {
    const registry = new ToolRegistry([weather]);
    await expect(registry.execute(call('get_weather', { city: 'Oslo' }))).resolves.toEqual({
      ok: true,
      value: { city: 'Oslo', days: 1, sky: 'clear' },
    });
  });

  it('names the argument path of a zod failure and does not run the tool', async () => {
    let ran = false;
    const registry = new ToolRegistry([{ ...weather, execute: () => (ran = true) }]);
    const result = await registry.execute(call('get_weather', { city: 42 }));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(/Invalid arguments for tool "get_weather": city: .*expected string/);
    expect(ran).toBe(false);
  });

  it('validates JSON Schema arguments with ajv and names nested and missing paths', async () => {
    const registry = new ToolRegistry([booking]);
    const wrongType = await registry.execute(call('book_table', { guests: 2, place: { city: 7 } }));
    expect(!wrongType.ok && wrongType.error).toContain('place.city: must be string');
    const missing = await registry.execute(call('book_table', { place: { city: 'Oslo' } }));
    expect(!missing.ok && missing.error).toContain('guests: is required');
    await expect(registry.execute(call('book_table', { guests: 2, place: { city: 'Oslo' } }))).resolves.toEqual({
      ok: true,
      value: { booked: { guests: 2, place: { city: 'Oslo' } } },
    });
  });
});

describe('ToolRegistry execution', () => {
  it('turns an unknown tool into an error that lists the available tools', async () => {
    const result = await new ToolRegistry([weather]).execute(call('get_wether'));
    expect(result).toEqual({ ok: false, error: 'Unknown tool "get_wether". Available tools: get_weather.' });
  });

  it('turns a throwing tool (sync or async) into an error result', async () => {
    const registry = new ToolRegistry([
      { name: 'sync_fail', description: '', parameters: { type: 'object' }, execute: () => { throw new Error('disk full'); } },
      { name: 'async_fail', description: '', parameters: { type: 'object' }, execute: async () => Promise.reject(new Error('no route')) },
    ]);
    await expect(registry.execute(call('sync_fail'))).resolves.toEqual({ ok: false, error: 'Tool "sync_fail" failed: disk full' });
    await expect(registry.execute(call('async_fail'))).resolves.toEqual({ ok: false, error: 'Tool "async_fail" failed: no route' });
  });

  it('aborts the tool signal on timeout and reports it', async () => {
    let toolSignal: AbortSignal | undefined;
    const registry = new ToolRegistry(
      [{ name: 'slow', description: '', parameters: { type: 'object' }, execute: (_args, { signal }) => { toolSignal = signal; return new Promise(() => {}); } }],
      { timeoutMs: 20 },
    );
    const result = await registry.execute(call('slow'));
    expect(result).toEqual({ ok: false, error: 'Tool "slow" timed out after 20 ms.' });
    expect(toolSignal?.aborted).toBe(true);
    expect((toolSignal?.reason as Error).name).toBe('TimeoutError');
  });

  it('prefers the tool timeout over the call option over the registry default', async () => {
    const hang: ToolDefinition = { name: 'hang', description: '', parameters: { type: 'object' }, execute: () => new Promise(() => {}) };
    const registry = new ToolRegistry([hang, { ...hang, name: 'own', timeoutMs: 15 }], { timeoutMs: 60_000 });
    await expect(registry.execute(call('hang'), { timeoutMs: 10 })).resolves.toMatchObject({ error: expect.stringContaining('after 10 ms') });
    await expect(registry.execute(call('own'), { timeoutMs: 60_000 })).resolves.toMatchObject({ error: expect.stringContaining('after 15 ms') });
  });

  it('cancels with the caller signal', async () => {
    let toolSignal: AbortSignal | undefined;
    const started = deferred();
    const registry = new ToolRegistry([
      { name: 'wait', description: '', parameters: { type: 'object' }, execute: (_a, { signal }) => { toolSignal = signal; started.resolve(); return new Promise(() => {}); } },
    ]);
    const controller = new AbortController();
    const pending = registry.execute(call('wait'), { signal: controller.signal });
    await started.promise;
    controller.abort();
    await expect(pending).resolves.toMatchObject({ ok: false, error: expect.stringContaining('cancelled') });
    expect(toolSignal?.aborted).toBe(true);
    await expect(registry.execute(call('wait'), { signal: controller.signal })).resolves.toMatchObject({ ok: false });
  });

  it('runs calls concurrently and keeps the results in call order', async () => {
    // Each tool waits until both have started: run one after the other, they would never finish.
    let started = 0;
    const bothStarted = deferred();
    const meet = async (label: string) => {
      if (++started === 2) bothStarted.resolve();
      await bothStarted.promise;
      return label;
    };
    const registry = new ToolRegistry([
      { name: 'first', description: '', parameters: { type: 'object' }, execute: () => meet('one') },
      { name: 'second', description: '', parameters: { type: 'object' }, execute: async () => { await Promise.resolve(); return meet('two'); } },
    ], { timeoutMs: 2_000 });
    const results = await registry.executeAll([call('second'), call('first')]);
    expect(results).toEqual([{ ok: true, value: 'two' }, { ok: true, value: 'one' }]);
  });

  it('reports a result that is not JSON instead of crashing the turn', async () => {
    const registry = new ToolRegistry([{ name: 'big', description: '', parameters: { type: 'object' }, execute: () => ({ n: 1n }) }]);
    await expect(registry.execute(call('big'))).resolves.toMatchObject({ ok: false, error: expect.stringContaining('cannot be sent as JSON') });
  });

  it('declares caller-run tools but does not run them', async () => {
    const registry = new ToolRegistry([{ name: 'ask_user', description: 'Ask', parameters: { type: 'object' } }]);
    expect(registry.has('ask_user')).toBe(true);
    expect(registry.isExecutable('ask_user')).toBe(false);
    await expect(registry.execute(call('ask_user'))).resolves.toMatchObject({ ok: false, error: expect.stringContaining('run by the caller') });
  });
});

describe('ToolRegistry registration', () => {
  it('declares zod tools as JSON Schema without $schema, computed once', () => {
    const registry = new ToolRegistry([weather, booking]);
    const [declared] = registry.declarations();
    expect(declared).toEqual({
      name: 'get_weather',
      description: 'Weather for a city',
      parameters: {
        type: 'object',
        properties: { city: { type: 'string' }, days: expect.objectContaining({ type: 'integer', default: 1 }) },
        required: ['city'],
      },
    });
    expect(registry.declarations()[0]!.parameters).toBe(declared!.parameters);
    expect(registry.names()).toEqual(['get_weather', 'book_table']);
  });

  it.each([
    ['a bad name', { ...booking, name: '9lives' }, 'tool.name'],
    ['a name over 64 characters', { ...booking, name: 'x'.repeat(65) }, 'tool.name'],
    ['a non-object schema', { ...booking, parameters: { type: 'string' } }, 'tools.book_table.parameters'],
    ['an invalid JSON Schema', { ...booking, parameters: { type: 'object', properties: { a: { type: 'nope' } } } }, 'tools.book_table.parameters'],
    ['a zod type JSON Schema cannot express', { ...booking, parameters: z.object({ when: z.date() }) }, 'tools.book_table.parameters'],
    ['a bad timeout', { ...booking, timeoutMs: -1 }, 'tools.book_table.timeoutMs'],
  ])('rejects %s with a ValidationError and changes nothing', (_label, tool, path) => {
    const registry = new ToolRegistry([weather]);
    const attempt = () => registry.register(tool as ToolDefinition);
    expect(attempt).toThrow(ValidationError);
    expect(attempt).toThrow(expect.objectContaining({ path }));
    expect(registry.names()).toEqual(['get_weather']);
  });

  it('rejects a duplicate name and keeps the first tool', () => {
    const registry = new ToolRegistry([weather]);
    expect(() => registry.register({ ...booking, name: 'get_weather' })).toThrow(/already registered/);
    expect(registry.get('get_weather')).toBe(weather);
    expect(registry.size).toBe(1);
  });

  it('with() returns a new registry with extra tools and leaves the original alone', () => {
    const base = new ToolRegistry([weather]);
    const extended = base.with([booking]);
    expect(extended.names()).toEqual(['get_weather', 'book_table']);
    expect(base.names()).toEqual(['get_weather']);
    expect(() => base.with([{ ...weather }])).toThrow(ValidationError);
  });
});

describe('ToolRegistry with arguments no model should send', () => {
  it('answers arguments nested thousands of levels deep with an error instead of throwing', async () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 10_000; i++) deep = { a: deep };
    let ran = false;
    const registry = new ToolRegistry([{ name: 'echo', description: '', parameters: { type: 'object' }, execute: () => (ran = true) }]);
    const result = await registry.execute({ id: 'c1', name: 'echo', arguments: deep });
    expect(result).toMatchObject({ ok: false, error: expect.stringContaining('nests deeper than 64 levels') });
    expect(ran).toBe(false);
  });
});
