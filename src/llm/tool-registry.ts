/**
 * The tools a model may call, and the one place that runs them. Shared by the text LLMs, the
 * realtime (Live API) session and the completion server, so every path validates arguments,
 * times out and reports failures the same way: `execute` never throws, it answers the model.
 */
import { ValidationError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { pathDeeperThan } from '../core/json-depth.js';
import { compileSchema, formatPath, type ArgumentsCheck, type CompiledSchema } from './tool-schema.js';
import { traceToolCall } from './tool-span.js';
import type { ToolCall, ToolDeclaration, ToolDefinition, ToolList, ToolResult } from './tool.js';

export const DEFAULT_TOOL_TIMEOUT_MS = 30_000;

const TOOL_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** Levels of objects and arrays a call's arguments may nest; real arguments use a handful. */
const MAX_ARGUMENT_DEPTH = 64;
const MAX_TOOL_NAME_LENGTH = 64;

export interface ToolRegistryOptions {
  /** How long a tool may run before its signal is aborted and the model told; default 30 000. */
  timeoutMs?: number;
}

export interface ToolExecuteOptions {
  /** Cancels the run: the tool's own signal is aborted and the result is an error. */
  signal?: AbortSignal;
  /** Overrides the registry's timeout for tools that do not set their own. */
  timeoutMs?: number;
}

interface RegisteredTool {
  definition: ToolDefinition<any>;
  schema: CompiledSchema;
  declaration: ToolDeclaration;
}

const log = createLogger('llm.tools');

/**
 * `Args` is only there so that tools written inline in the constructor are typed by their own
 * parameters (see ToolList); TypeScript infers it, and a registry's type does not depend on it.
 */
export class ToolRegistry<Args extends readonly unknown[] = unknown[]> {
  readonly #tools = new Map<string, RegisteredTool>();
  readonly #timeoutMs: number;
  #declarations: ToolDeclaration[] | undefined;

  constructor(tools?: ToolList<Args>, options: ToolRegistryOptions = {}) {
    this.#timeoutMs = checkTimeout(options.timeoutMs, 'timeoutMs') ?? DEFAULT_TOOL_TIMEOUT_MS;
    for (const tool of asToolArray(tools)) this.register(tool);
  }

  /**
   * Adds a tool. Throws ValidationError (and changes nothing) for a bad or duplicate name, a
   * schema that cannot describe an arguments object, or a bad `execute`/`timeoutMs`.
   */
  register<ToolArgs>(tool: ToolDefinition<ToolArgs>): this {
    const entry = compileTool(tool as ToolDefinition<any>);
    if (this.#tools.has(entry.definition.name)) {
      throw new ValidationError(`tools.${entry.definition.name}`, 'a tool with this name is already registered; tool names must be unique');
    }
    this.#tools.set(entry.definition.name, entry);
    this.#declarations = undefined;
    return this;
  }

  has(name: string): boolean {
    return this.#tools.has(name);
  }

  get(name: string): ToolDefinition<any> | undefined {
    return this.#tools.get(name)?.definition;
  }

  get size(): number {
    return this.#tools.size;
  }

  names(): string[] {
    return [...this.#tools.keys()];
  }

  /** True when the registry runs the tool itself; false for caller-run tools and unknown names. */
  isExecutable(name: string): boolean {
    return typeof this.#tools.get(name)?.definition.execute === 'function';
  }

  /** What a provider declares to the model, in registration order. */
  declarations(): ToolDeclaration[] {
    this.#declarations ??= [...this.#tools.values()].map((entry) => entry.declaration);
    return [...this.#declarations];
  }

  /** A new registry with these tools added (for per-request tools); this one is unchanged. */
  with<Added extends readonly unknown[]>(tools: ToolList<Added>): ToolRegistry {
    const next = new ToolRegistry([], { timeoutMs: this.#timeoutMs });
    for (const [name, entry] of this.#tools) next.#tools.set(name, entry);
    for (const tool of asToolArray(tools)) next.register(tool);
    return next;
  }

  /**
   * Validates the arguments and runs the tool with a deadline. Never throws: an unknown tool,
   * invalid arguments, a throwing tool, a timeout or a cancelled signal become `{ ok: false }`
   * with a message the model can act on.
   */
  execute(call: ToolCall, options: ToolExecuteOptions = {}): Promise<ToolResult> {
    return traceToolCall(call, this.#tools.has(call.name), () => this.#run(call, options));
  }

  async #run(call: ToolCall, options: ToolExecuteOptions): Promise<ToolResult> {
    const entry = this.#tools.get(call.name);
    if (!entry) {
      const known = this.names();
      return failure(`Unknown tool "${call.name}". ${known.length > 0 ? `Available tools: ${known.join(', ')}.` : 'No tools are available.'}`);
    }
    const { execute } = entry.definition;
    if (typeof execute !== 'function') {
      return failure(`Tool "${call.name}" is run by the caller, not by the tool registry.`);
    }
    if (options.signal?.aborted) return failure(`Tool "${call.name}" was not run: the request was cancelled.`);

    const checked = await checkArguments(entry.schema, call.arguments ?? {});
    if (!checked.ok) {
      return failure(`Invalid arguments for tool "${call.name}": ${checked.error}. Call it again with arguments that match its parameters.`);
    }
    const timeoutMs = entry.definition.timeoutMs ?? options.timeoutMs ?? this.#timeoutMs;
    return runWithDeadline(call, (signal) => execute(checked.value, { signal, callId: call.id }), timeoutMs, options.signal);
  }

  /** Runs the calls concurrently; the results are in the order of `calls`. */
  executeAll(calls: readonly ToolCall[], options: ToolExecuteOptions = {}): Promise<ToolResult[]> {
    return Promise.all(calls.map((call) => this.execute(call, options)));
  }
}

/**
 * The schema's check, after a bound on nesting: the model's arguments are checked and copied by
 * recursive code, which a value nested thousands of levels deep would overflow.
 */
async function checkArguments(schema: CompiledSchema, args: unknown): Promise<ArgumentsCheck> {
  const tooDeep = pathDeeperThan(args, MAX_ARGUMENT_DEPTH);
  if (tooDeep) return { ok: false, error: `${formatPath(tooDeep)}: nests deeper than ${MAX_ARGUMENT_DEPTH} levels of objects and arrays` };
  try {
    return await schema.check(args);
  } catch (error) {
    return { ok: false, error: `the arguments could not be checked (${describe(error)})` };
  }
}

/** A ToolList as the plain array it is at run time (its mapped type hides that from TypeScript). */
function asToolArray(tools: ToolList<readonly unknown[]> | undefined): readonly ToolDefinition<any>[] {
  return (tools ?? []) as readonly ToolDefinition<any>[];
}

/**
 * Throws the ValidationError `register` would throw for this tool (a registry's name rule
 * aside: uniqueness), without registering it: `defineTool` checks a tool where it is written.
 */
export function checkToolDefinition(tool: ToolDefinition<any>): void {
  compileTool(tool);
}

function compileTool(tool: ToolDefinition<any>): RegisteredTool {
  if (typeof tool !== 'object' || tool === null) throw new ValidationError('tool', 'must be an object with name, description and parameters');
  const { name, description } = tool;
  if (typeof name !== 'string' || !TOOL_NAME.test(name) || name.length > MAX_TOOL_NAME_LENGTH) {
    throw new ValidationError(
      'tool.name',
      `${JSON.stringify(name)} is not a valid tool name: use letters, digits, _ or $ (not starting with a digit), at most ${MAX_TOOL_NAME_LENGTH} characters`,
    );
  }
  if (typeof description !== 'string') throw new ValidationError(`tools.${name}.description`, 'must be a string telling the model when to use the tool');
  if (tool.execute !== undefined && typeof tool.execute !== 'function') {
    throw new ValidationError(`tools.${name}.execute`, 'must be a function, or left out for tools the caller runs');
  }
  checkTimeout(tool.timeoutMs, `tools.${name}.timeoutMs`);
  const schema = compileSchema(tool.parameters, `tools.${name}.parameters`);
  return { definition: tool, schema, declaration: { name, description, parameters: schema.jsonSchema } };
}

function checkTimeout(timeoutMs: number | undefined, path: string): number | undefined {
  if (timeoutMs === undefined) return undefined;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new ValidationError(path, `must be a positive number of milliseconds, got ${String(timeoutMs)}`);
  }
  return timeoutMs;
}

/**
 * Runs one tool with its own AbortSignal, which is aborted on timeout or when the caller's
 * signal aborts. A tool that ignores its signal keeps running in the background, but the turn
 * no longer waits for it and its late result is dropped.
 */
function runWithDeadline(
  call: ToolCall,
  run: (signal: AbortSignal) => unknown,
  timeoutMs: number,
  callerSignal: AbortSignal | undefined,
): Promise<ToolResult> {
  const controller = new AbortController();
  return new Promise<ToolResult>((resolve) => {
    let settled = false;
    const settle = (result: ToolResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
      resolve(result);
    };
    const timer = setTimeout(() => {
      controller.abort(new DOMException(`Tool "${call.name}" timed out after ${timeoutMs} ms`, 'TimeoutError'));
      log.warn({ tool: call.name, callId: call.id, timeoutMs }, 'tool timed out');
      settle(failure(`Tool "${call.name}" timed out after ${timeoutMs} ms.`));
    }, timeoutMs);
    const onCallerAbort = () => {
      controller.abort(callerSignal?.reason);
      settle(failure(`Tool "${call.name}" was cancelled: the request was aborted.`));
    };
    callerSignal?.addEventListener('abort', onCallerAbort, { once: true });

    // `then` also catches a tool that throws synchronously.
    Promise.resolve()
      .then(() => run(controller.signal))
      .then(
        (value) => settle(toJsonResult(call, value)),
        (error: unknown) => {
          if (settled) return;
          log.warn({ tool: call.name, callId: call.id, err: error }, 'tool failed');
          settle(failure(`Tool "${call.name}" failed: ${describe(error)}`));
        },
      );
  });
}

/** Results go to the model as JSON; a value that is not JSON is an error, not a crashed turn. */
function toJsonResult(call: ToolCall, value: unknown): ToolResult {
  try {
    const json = JSON.stringify(value);
    return { ok: true, value: json === undefined ? null : JSON.parse(json) };
  } catch (error) {
    return failure(`Tool "${call.name}" returned a value that cannot be sent as JSON: ${describe(error)}`);
  }
}

function failure(error: string): ToolResult {
  return { ok: false, error };
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}
