/**
 * The span of one tool call (`execute_tool <name>`, as the GenAI conventions name it), around
 * the registry's run: every path that runs tools (the text LLMs' tool loop, a Live session, the
 * completion server) goes through it. The tool runs with the span active, so spans the tool
 * makes are its children. A result `{ ok: false }` marks the span failed with its message.
 */
import { SpanKind, inSpan, recordFailureMessage } from '../core/tracing.js';
import { AGENT, GEN_AI } from '../core/trace-attributes.js';
import type { ToolCall, ToolResult } from './tool.js';

/** Names come from the model: a name the registry does not know is not used as a span name. */
const MAX_NAME_LENGTH = 64;

export function traceToolCall(call: ToolCall, known: boolean, run: () => Promise<ToolResult>): Promise<ToolResult> {
  const name = String(call.name).slice(0, MAX_NAME_LENGTH);
  const attributes = {
    [GEN_AI.operationName]: 'execute_tool',
    [GEN_AI.toolName]: name,
    [GEN_AI.toolCallId]: String(call.id).slice(0, MAX_NAME_LENGTH),
    [GEN_AI.toolType]: 'function',
  };
  return inSpan(known ? `execute_tool ${name}` : 'execute_tool', { kind: SpanKind.INTERNAL, attributes }, async (span) => {
    const result = await run();
    span.setAttribute(AGENT.toolOk, result.ok);
    if (!result.ok) recordFailureMessage(span, result.error, 'tool_error');
    return result;
  });
}
