/** What an agent file exports: defineAgent checks a definition where it is written, and types its tools. */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { defineAgent, isAgentDefinition } from '../../src/agent/index.js';
import { ValidationError } from '../../src/core/errors.js';
import { defineTool } from '../../src/llm/define-tool.js';
import { ToolRegistry } from '../../src/llm/tool-registry.js';

describe('defineAgent', () => {
  it('returns a frozen definition that the CLI and the worker recognise', () => {
    const definition = defineAgent({ instructions: 'Be brief.' });
    expect(isAgentDefinition(definition)).toBe(true);
    expect(Object.isFrozen(definition)).toBe(true);
    expect(definition.instructions).toBe('Be brief.');
    expect(isAgentDefinition({ instructions: 'Be brief.' })).toBe(false);
    expect(isAgentDefinition(defineAgent({}))).toBe(true);
  });

  it.each([
    [{ voice: 'Puck' }, 'voice', /not a field of an agent definition; the fields are agentUser, instructions/],
    [{ instructions: '  ' }, 'instructions', /non-empty string/],
    [{ instructions: 42 }, 'instructions', /non-empty string, got number 42/],
    [{ agentUser: { name: 'No id' } }, 'agentUser.id', /non-empty string/],
    [{ agentUser: { id: 'a', name: 3 } }, 'agentUser.name', /must be a string/],
    [{ tools: 'all' }, 'tools', /list of tools or a ToolRegistry/],
    [{ video: 'yes' }, 'video', /true or false/],
    [{ model: {} }, 'model', /must be a function, got an object/],
    [{ setup: 'later' }, 'setup', /must be a function/],
  ])('refuses %j, naming %s', (definition, path, message) => {
    const error = (() => {
      try {
        defineAgent(definition as never);
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).path).toBe(path);
    expect((error as ValidationError).message).toMatch(message);
  });

  it('takes an addressing mode for group calls and names a wrong one', () => {
    expect(defineAgent({ addressing: 'when-addressed' }).addressing).toBe('when-addressed');
    expect(() => defineAgent({ addressing: 'sometimes' as never })).toThrow(/addressing.*'always' or 'when-addressed'/);
  });

  it('takes the chat settings and names a wrong one', () => {
    const definition = defineAgent({ chatReplies: 'both', chatTool: false, chatInput: true, chatHistory: { maxMessages: 20 } });
    expect(definition).toMatchObject({ chatReplies: 'both', chatTool: false, chatHistory: { maxMessages: 20 } });
    expect(() => defineAgent({ chatReplies: 'loud' as never })).toThrow(/chatReplies.*voice, text, both/);
    expect(() => defineAgent({ chatHistory: { maxChars: -1 } })).toThrow(/chatHistory.maxChars/);
  });

  it('checks tools as a registry does: two with one name are refused', () => {
    const tool = { name: 'same', description: 'd', parameters: z.object({}), execute: () => 'x' };
    expect(() => defineAgent({ tools: [tool, tool] })).toThrow(/same/);
    expect(() => defineAgent({ tools: new ToolRegistry([tool]) })).not.toThrow();
  });

  it('types an inline tool by its own schema', () => {
    defineAgent({
      tools: [
        defineTool({
          name: 'weather',
          description: 'The weather in a city',
          parameters: z.object({ city: z.string(), days: z.number().default(1) }),
          execute: (args) => {
            expectTypeOf(args).toEqualTypeOf<{ city: string; days: number }>();
            return args.city;
          },
        }),
        {
          name: 'inline',
          description: 'Written in place',
          parameters: z.object({ count: z.number() }),
          execute: (args) => {
            expectTypeOf(args.count).toEqualTypeOf<number>();
            return args.count;
          },
        },
      ],
    });
  });
});
