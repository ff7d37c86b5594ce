/** Tools the model can call: their declaration, a call, and its result. */
import type { ZodType } from 'zod';
import type { CompiledSchema } from './tool-schema.js';

/** A JSON Schema object describing a tool's arguments (`{ type: 'object', properties, required }`). */
export type JsonSchema = Record<string, unknown>;

export interface ToolContext {
  signal: AbortSignal;
  callId: string;
}

/**
 * What `execute` receives for a tool whose arguments are `Args`. When nothing says what they
 * are (JSON Schema parameters leave `Args` unknown), they are an object of unknown values: the
 * registry accepts only object schemas. `any` stays `any`, so `ToolDefinition<any>` still
 * takes every tool.
 */
export type ToolArguments<Args> = 0 extends 1 & Args ? any : unknown extends Args ? Record<string, unknown> : Args;

/**
 * A tool. `Args` is what `execute` receives: for zod parameters, the schema's output (the
 * registry parses the model's arguments with the schema, defaults and transforms applied), which
 * TypeScript infers from `parameters` (see `defineTool`); for JSON Schema,
 * `Record<string, unknown>`.
 */
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
  execute?: (args: ToolArguments<Args>, context: ToolContext) => unknown;
  /** Overrides the registry's timeout for this tool. */
  timeoutMs?: number;
}

/**
 * Tools written inline, each typed by its own parameters:
 * `new ToolRegistry([{ name, description, parameters: z.object(…), execute: (args) => … }])`
 * gives every `execute` the arguments its schema describes. `Args` holds each tool's argument
 * type, in order; TypeScript infers it.
 */
export type ToolList<Args extends readonly unknown[]> = { [Index in keyof Args]: ToolDefinition<Args[Index]> };

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
