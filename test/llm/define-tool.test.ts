import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { Agent, defineTool, ToolRegistry, ValidationError, type Edge, type RealtimeModel, type ToolContext, type ToolDefinition } from 'stream-gemini-agents';

/**
 * The type assertions here are checked by `npm run typecheck` (vitest does not run them);
 * the runtime ones show that the types tell the truth about what `execute` receives.
 */

const weather = defineTool({
  name: 'get_weather',
  description: 'The weather for a city',
  parameters: z.object({ city: z.string(), days: z.number().int().default(1), unit: z.enum(['C', 'F']).optional() }),
  execute: (args) => args,
});

describe('defineTool', () => {
  it('types execute with the output of a zod schema, which is what the registry passes it', async () => {
    expectTypeOf<Parameters<NonNullable<typeof weather.execute>>[0]>().toEqualTypeOf<{
      city: string;
      days: number;
      unit?: 'C' | 'F' | undefined;
    }>();
    const result = await new ToolRegistry([weather]).execute({ id: 'c1', name: 'get_weather', arguments: { city: 'Oslo' } });
    expect(result).toEqual({ ok: true, value: { city: 'Oslo', days: 1 } });
  });

  it('gives a transformed field its output type and value', async () => {
    const measure = defineTool({
      name: 'measure',
      description: 'Length of a word',
      parameters: z.object({ word: z.string().transform((word) => word.length) }),
      execute: ({ word }) => {
        expectTypeOf(word).toEqualTypeOf<number>();
        return word * 2;
      },
    });
    const result = await new ToolRegistry([measure]).execute({ id: 'c1', name: 'measure', arguments: { word: 'four' } });
    expect(result).toEqual({ ok: true, value: 8 });
  });

  it('types JSON Schema arguments as an object of unknown values', async () => {
    const echo = defineTool({
      name: 'echo',
      description: 'Echoes its arguments',
      parameters: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
      execute: (args, context) => {
        expectTypeOf(args).toEqualTypeOf<Record<string, unknown>>();
        expectTypeOf(context).toEqualTypeOf<ToolContext>();
        return args.text;
      },
    });
    const result = await new ToolRegistry([echo]).execute({ id: 'c1', name: 'echo', arguments: { text: 'hi' } });
    expect(result).toEqual({ ok: true, value: 'hi' });
  });

  it('returns the tool as given, and refuses one a registry would refuse, where it is written', () => {
    const tool = { name: 'ok', description: '', parameters: { type: 'object' } };
    expect(defineTool(tool)).toBe(tool);
    expect(() => defineTool({ name: 'not a name', description: '', parameters: { type: 'object' } })).toThrow(ValidationError);
    expect(() => defineTool({ name: 'when', description: '', parameters: z.object({ at: z.date() }) })).toThrow(/tools\.when\.parameters/);
    expect(() => defineTool({ name: 'list', description: '', parameters: z.array(z.string()) })).toThrow(/tools\.list\.parameters/);
  });

  it('rejects, at compile time, an execute that misreads its arguments', () => {
    defineTool({
      name: 'typo',
      description: '',
      parameters: z.object({ city: z.string() }),
      // @ts-expect-error: the schema has no "town"
      execute: ({ town }) => town,
    });
    defineTool({
      name: 'wrong_type',
      description: '',
      parameters: z.object({ city: z.string() }),
      // @ts-expect-error: city is a string
      execute: ({ city }): number => city,
    });
  });
});

describe('tools written inline', () => {
  it('are typed by their own schema in a ToolRegistry, each one', async () => {
    const registry = new ToolRegistry([
      {
        name: 'add',
        description: 'Adds',
        parameters: z.object({ a: z.number(), b: z.number().default(0) }),
        execute: (args) => {
          expectTypeOf(args).toEqualTypeOf<{ a: number; b: number }>();
          return args.a + args.b;
        },
      },
      {
        name: 'shout',
        description: 'Shouts',
        parameters: z.object({ text: z.string() }),
        execute: ({ text }) => {
          expectTypeOf(text).toEqualTypeOf<string>();
          return text.toUpperCase();
        },
      },
      {
        name: 'raw',
        description: 'JSON Schema',
        parameters: { type: 'object' },
        execute: (args) => {
          expectTypeOf(args).toEqualTypeOf<Record<string, unknown>>();
          return Object.keys(args).length;
        },
      },
      weather,
    ]);
    await expect(registry.execute({ id: 'c1', name: 'add', arguments: { a: 2 } })).resolves.toEqual({ ok: true, value: 2 });
    await expect(registry.execute({ id: 'c2', name: 'shout', arguments: { text: 'hi' } })).resolves.toEqual({ ok: true, value: 'HI' });
  });

  it('are typed in ToolRegistry.with and register too', () => {
    const registry = new ToolRegistry().with([
      {
        name: 'later',
        description: '',
        parameters: z.object({ n: z.number() }),
        execute: ({ n }) => {
          expectTypeOf(n).toEqualTypeOf<number>();
          return n;
        },
      },
    ]);
    registry.register({
      name: 'one_more',
      description: '',
      parameters: z.object({ flag: z.boolean() }),
      execute: ({ flag }) => {
        expectTypeOf(flag).toEqualTypeOf<boolean>();
        return flag;
      },
    });
    expect(registry.names()).toEqual(['later', 'one_more']);
  });

  it('are checked against their schema at compile time', () => {
    const build = () =>
      new ToolRegistry([
        {
          name: 'typo',
          description: '',
          parameters: z.object({ city: z.string() }),
          // @ts-expect-error: the schema has no "town"
          execute: ({ town }) => town,
        },
      ]);
    expect(build).not.toThrow();
  });

  it('are typed by their own schema in the Agent options, and checked when the agent is made', () => {
    // The agent touches neither until it joins.
    const edge = {} as Edge;
    const llm = {} as RealtimeModel;
    const agent = new Agent({
      edge,
      llm,
      agentUser: { id: 'assistant' },
      tools: [
        {
          name: 'lookup',
          description: '',
          parameters: z.object({ city: z.string(), limit: z.number().default(3) }),
          execute: ({ city, limit }) => {
            expectTypeOf(city).toEqualTypeOf<string>();
            expectTypeOf(limit).toEqualTypeOf<number>();
            return city.slice(0, limit);
          },
        },
        {
          name: 'typo',
          description: '',
          parameters: z.object({ city: z.string() }),
          // @ts-expect-error: the schema has no "town"
          execute: ({ town }) => town,
        },
        weather,
      ],
    });
    expect(agent).toBeInstanceOf(Agent);
    const badTool = { name: 'not a name', description: '', parameters: z.object({}), execute: () => null };
    expect(() => new Agent({ edge, llm, agentUser: { id: 'assistant' }, tools: [badTool] })).toThrow(ValidationError);
  });

  it('still accept tools typed elsewhere, or any tool', () => {
    const typed: ToolDefinition<{ city: string }> = {
      name: 'typed',
      description: '',
      parameters: z.object({ city: z.string() }),
      execute: ({ city }) => city,
    };
    const anyTools: ToolDefinition<any>[] = [typed];
    expect(new ToolRegistry([typed, ...anyTools.map((tool) => ({ ...tool, name: `${tool.name}_copy` }))]).size).toBe(2);
  });
});
