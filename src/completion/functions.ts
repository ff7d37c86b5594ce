/**
 * The protocol's `functions` as tools:
 * - `result.data`: the server answers the model with that data and the turn goes on;
 * - no result (or `result.channel`): declared without `execute`, so the model's call ends the
 *   turn with `end.reason: 'activity'` and the client runs the function itself.
 * A request's parameter schemas are checked within bounds and never compiled (see
 * untrusted-json-schema.ts); each request's schemas stand alone.
 */
import type { ToolDefinition } from '../llm/tool.js';
import { untrustedJsonSchema } from '../llm/untrusted-json-schema.js';
import type { RequestFunction } from './request-schema.js';

/** A function as a tool, its parameters as given (a bot file's functions are the operator's own). */
export function functionToTool(fn: RequestFunction, transformData: (data: unknown) => unknown = (data) => data): ToolDefinition {
  const tool: ToolDefinition = { name: fn.name, description: fn.description, parameters: fn.parameters };
  if (fn.result && 'data' in fn.result) {
    const data = transformData(fn.result.data);
    tool.execute = () => data;
  }
  return tool;
}

/**
 * A request's function as a tool, its parameters checked as untrusted. Throws ValidationError at
 * `functions[index].parameters…` for a schema out of bounds or invalid.
 */
export function requestFunctionToTool(fn: RequestFunction, index: number, transformData?: (data: unknown) => unknown): ToolDefinition {
  return { ...functionToTool(fn, transformData), parameters: untrustedJsonSchema(fn.parameters, `functions[${index}].parameters`) };
}

/**
 * Copies of `tools` that share one budget of `maxCalls` executions; calls past it are answered
 * with an error telling the model to finish with what it has (the protocol's `limits.calls`).
 */
export function withCallBudget(tools: readonly ToolDefinition<any>[], maxCalls: number): ToolDefinition<any>[] {
  let calls = 0;
  return tools.map((tool) => {
    const execute = tool.execute;
    if (!execute) return tool;
    return {
      ...tool,
      execute: (args: unknown, context: Parameters<typeof execute>[1]) => {
        calls += 1;
        if (calls > maxCalls) {
          throw new Error(`The limit of ${maxCalls} function calls for this request is reached; answer with what you have.`);
        }
        return execute(args, context);
      },
    };
  });
}
