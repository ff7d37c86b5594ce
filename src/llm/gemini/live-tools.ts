/**
 * Runs the tool calls of a Live session.
 *
 * Every call of one `toolCall` message runs concurrently; their answers go back together in
 * one `toolResponse` (the model waits for all of them before it speaks again). Registry tools
 * with `execute` run by themselves; a declared tool without one waits for the caller's
 * `submit`. `toolCallCancellation` (the user talked over the model) aborts those calls and
 * leaves them out of the response. A result whose connection has been replaced is not sent:
 * the resumed server session does not know that call.
 */
import { randomUUID } from 'node:crypto';
import type { LiveServerToolCall } from '@google/genai';
import { toError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { RealtimeEvents } from '../realtime.js';
import type { ToolCall, ToolResult } from '../tool.js';
import type { ToolRegistry } from '../tool-registry.js';

type Emit = <K extends keyof RealtimeEvents>(event: K, payload: RealtimeEvents[K]) => void;

export interface LiveFunctionResponse {
  id: string;
  name: string;
  response: Record<string, unknown>;
}

interface RunningCall {
  call: ToolCall;
  controller: AbortController;
  cancelled: boolean;
  /** Set for caller-run tools: resolves with the caller's `submit`. */
  answer?: (result: ToolResult) => void;
}

export class LiveToolRunner {
  readonly #registry: ToolRegistry | undefined;
  readonly #timeoutMs: number | undefined;
  readonly #emit: Emit;
  readonly #log: Logger;
  readonly #running = new Map<string, RunningCall>();

  constructor(options: { registry?: ToolRegistry; timeoutMs?: number; emit: Emit; log: Logger }) {
    this.#registry = options.registry;
    this.#timeoutMs = options.timeoutMs;
    this.#emit = options.emit;
    this.#log = options.log;
  }

  /** Calls still waiting for their result. */
  get pending(): number {
    return this.#running.size;
  }

  /** Starts every call of `toolCall`; `deliver` gets the answers of those not cancelled. */
  run(toolCall: LiveServerToolCall, deliver: (responses: LiveFunctionResponse[]) => void): void {
    const calls: ToolCall[] = (toolCall.functionCalls ?? []).map((functionCall) => ({
      id: functionCall.id ?? randomUUID(),
      name: functionCall.name ?? '',
      arguments: functionCall.args ?? {},
    }));
    if (calls.length === 0) return;
    void Promise.all(calls.map((call) => this.#runOne(call))).then((outcomes) => {
      const responses = outcomes
        .filter((outcome) => !outcome.cancelled)
        .map(({ call, result }) => ({ id: call.id, name: call.name, response: toFunctionResponse(result) }));
      if (responses.length > 0) deliver(responses);
    });
  }

  /** Aborts the calls the server no longer wants. */
  cancel(ids: string[]): void {
    for (const id of ids) {
      const running = this.#running.get(id);
      if (!running) continue;
      running.cancelled = true;
      running.controller.abort(new Error(`The model cancelled tool call ${id}.`));
    }
  }

  /** The caller's answer to a tool without `execute`; false if no such call is waiting. */
  submit(callId: string, result: ToolResult): boolean {
    const running = this.#running.get(callId);
    if (!running?.answer) return false;
    running.answer(result);
    return true;
  }

  /** Aborts everything (the session is closing). */
  close(): void {
    this.cancel([...this.#running.keys()]);
  }

  async #runOne(call: ToolCall): Promise<{ call: ToolCall; result: ToolResult; cancelled: boolean }> {
    const running: RunningCall = { call, controller: new AbortController(), cancelled: false };
    this.#running.set(call.id, running);
    try {
      this.#emit('tool.call', { call });
      const result = await this.#execute(running);
      if (!running.cancelled) this.#emit('tool.result', { call, result });
      return { call, result, cancelled: running.cancelled };
    } finally {
      this.#running.delete(call.id);
    }
  }

  #execute(running: RunningCall): Promise<ToolResult> {
    const { call, controller } = running;
    const registry = this.#registry;
    if (!registry) {
      this.#log.warn({ tool: call.name }, 'the model called a tool but the session has none');
      return Promise.resolve({ ok: false, error: `Unknown tool "${call.name}". No tools are available.` });
    }
    if (registry.has(call.name) && !registry.isExecutable(call.name)) {
      return new Promise<ToolResult>((resolve) => {
        running.answer = resolve;
        controller.signal.addEventListener('abort', () => resolve({ ok: false, error: 'Cancelled.' }), { once: true });
      });
    }
    const options = this.#timeoutMs === undefined ? { signal: controller.signal } : { signal: controller.signal, timeoutMs: this.#timeoutMs };
    // Unknown names and bad arguments come back as failures. The registry never throws by
    // contract; a bug there must still answer the model.
    return registry.execute(call, options).catch((thrown: unknown) => ({ ok: false as const, error: toError(thrown).message }));
  }
}

/** Gemini's convention: the value under `output`, a failure under `error`. */
function toFunctionResponse(result: ToolResult): Record<string, unknown> {
  return result.ok ? { output: result.value ?? null } : { error: result.error };
}
