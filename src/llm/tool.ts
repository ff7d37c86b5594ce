/** Tools the model can call: their declaration, a call, and its result. */
import type { ZodType } from 'zod';
import type { CompiledSchema } from './tool-schema.js';

/** A JSON Schema object describing a tool's arguments (`{ type: 'object', properties, required }`). */
export type JsonSchema = Record<string, unknown>;

export interface ToolContext {
  signal: AbortSignal;
  callId: string;
}

export interface ToolDefinition<Args = Record<string, unknown>> {
  /** `^[A-Za-z_$][A-Za-z0-9_$]*$`, at most 64 characters, unique in a registry. */
  name: string;
  description: string;
  /**
   * A zod schema or a JSON Schema, whose arguments are validated before `execute`; or a schema
   * compiled ahead, such as `untrustedJsonSchema(...)` for a schema that comes from outside the
   * program.
   */
  parameters: ZodType<Args> | JsonSchema | CompiledSchema;
  /**
   * Runs the tool. Without it the tool is declared to the model but run by the caller: the
   * stream ends with finishReason 'tool_calls' and the call in `pendingToolCalls`.
   */
  execute?: (args: Args, context: ToolContext) => unknown;
  /** Overrides the registry's timeout for this tool. */
  timeoutMs?: number;
}

export interface ToolCall {
  /** The provider's call id, or one we generate when the provider gives none. */
  id: string;
  name: string;
  arguments: Record<string, unknown>;
}

/** Never an exception: a failing, invalid or timed-out tool becomes `{ ok: false, error }` for the model. */
export type ToolResult = { ok: true; value: unknown } | { ok: false; error: string };

/** What a provider declares to the model for one tool. */
export interface ToolDeclaration {
  name: string;
  description: string;
  parameters: JsonSchema;
}
