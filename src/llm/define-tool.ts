/**
 * `defineTool`: one tool, typed from its schema and checked where it is written. With zod
 * parameters, `execute` receives the schema's output (what the registry's parse returns:
 * defaults filled in, transforms applied); with JSON Schema, `Record<string, unknown>`.
 *
 *   export const weather = defineTool({
 *     name: 'get_weather',
 *     description: 'The weather for a city',
 *     parameters: z.object({ city: z.string(), days: z.number().int().default(1) }),
 *     execute: async ({ city, days }) => forecast(city, days),   // city: string, days: number
 *   });
 */
import { checkToolDefinition } from './tool-registry.js';
import type { ToolArguments, ToolDefinition } from './tool.js';

/**
 * Returns the tool as given, typed. Throws ValidationError naming the problem when a registry
 * would refuse it (a bad name, a schema that cannot describe an arguments object, a bad
 * `execute` or `timeoutMs`), so a mistake shows where the tool is defined.
 */
export function defineTool<Args>(tool: ToolDefinition<Args>): ToolDefinition<ToolArguments<Args>> {
  checkToolDefinition(tool);
  return tool as ToolDefinition<ToolArguments<Args>>;
}
