/**
 * Span attribute names. OpenTelemetry's semantic conventions where one exists (`gen_ai.*` for
 * model calls and tools, `error.type`); the project's own namespaces (`agent.*`,
 * `conversation.*`, `completion.*`, `gemini.*`) for the rest. docs/production.md lists them.
 */

/** Semantic conventions: GenAI (model spans, tool spans) and errors. */
export const GEN_AI = {
  /** The provider, e.g. `gcp.gemini`. The current name of `gen_ai.system`. */
  providerName: 'gen_ai.provider.name',
  /** The same value under its older name, which many dashboards still read. */
  system: 'gen_ai.system',
  operationName: 'gen_ai.operation.name',
  requestModel: 'gen_ai.request.model',
  requestTemperature: 'gen_ai.request.temperature',
  requestTopP: 'gen_ai.request.top_p',
  requestTopK: 'gen_ai.request.top_k',
  requestMaxTokens: 'gen_ai.request.max_tokens',
  usageInputTokens: 'gen_ai.usage.input_tokens',
  usageOutputTokens: 'gen_ai.usage.output_tokens',
  responseFinishReasons: 'gen_ai.response.finish_reasons',
  conversationId: 'gen_ai.conversation.id',
  toolName: 'gen_ai.tool.name',
  toolCallId: 'gen_ai.tool.call.id',
  toolType: 'gen_ai.tool.type',
} as const;

export const AGENT = {
  sessionId: 'agent.session_id',
  callType: 'agent.call_type',
  callId: 'agent.call_id',
  nodeId: 'agent.node_id',
  /** The agent's own user id in the call. */
  userId: 'agent.user_id',
  endReason: 'agent.end_reason',
  joined: 'agent.joined',
  /** The part of a join: `call`, `model` or `conversation`. */
  component: 'agent.component',
  /** A component's start stopped because another one failed or the join was given up: not a failure of its own. */
  componentCancelled: 'agent.component.cancelled',
  turnId: 'agent.turn_id',
  /** Who spoke a user turn. */
  speakerId: 'agent.turn.speaker_id',
  responseLatencyMs: 'agent.turn.response_latency_ms',
  playoutLatencyMs: 'agent.turn.playout_latency_ms',
  interrupted: 'agent.turn.interrupted',
  /** Audio of the reply played before a barge-in cut it. */
  playedMs: 'agent.turn.played_ms',
  /** Audio the model produced for the reply. */
  generatedMs: 'agent.turn.generated_ms',
  /** played_ms / generated_ms: the share of the reply the people heard (1 when not cut). */
  heardRatio: 'agent.turn.heard_ratio',
  /** The turn was still open when the agent left. */
  unfinished: 'agent.turn.unfinished',
  turns: 'agent.turns',
  interruptions: 'agent.interruptions',
  toolOk: 'agent.tool.ok',
} as const;

export const GEMINI_LIVE = {
  /** Which try of this connection (1 for the first). */
  attempt: 'gemini.live.attempt',
  /** The connection resumes the session with a handle. */
  resumed: 'gemini.live.resumed',
  reason: 'gemini.live.reason',
  /** Connection attempts a reconnect took. */
  attempts: 'gemini.live.attempts',
  /** How a reconnect ended: `reconnected`, `failed`, or `closed` (the session closed meanwhile). */
  outcome: 'gemini.live.outcome',
} as const;

export const GEMINI = {
  /** Tries of one generateContent call (retries before the first token). */
  attempts: 'gemini.attempts',
} as const;

export const CONVERSATION = {
  messageId: 'conversation.message_id',
  /** The write stores the message's final content. */
  final: 'conversation.final',
  attempt: 'conversation.attempt',
  /** `message` or `indicator` (the AI indicator). */
  write: 'conversation.write',
} as const;

export const COMPLETION = {
  /** `stateless` or `conversation`. */
  route: 'completion.route',
  /** `json`, `jsonl` or `sse`. */
  mode: 'completion.mode',
  endReason: 'completion.end_reason',
  /** Input and output tokens of every model call of the request. */
  tokens: 'completion.tokens',
  errorCode: 'completion.error_code',
  requestId: 'completion.request_id',
  /** A digest naming the API key, never the key. */
  keyId: 'completion.key_id',
  deadlineReached: 'completion.deadline_reached',
  disconnected: 'completion.disconnected',
  /** The 4xx a refused request got. */
  statusCode: 'http.response.status_code',
} as const;

/** `gen_ai.provider.name` for our providers' names; other names pass through. */
export function genAiProvider(provider: string): string {
  return provider === 'gemini' ? 'gcp.gemini' : provider;
}

/** Both provider attributes, for a provider name. */
export function providerAttributes(provider: string): Record<string, string> {
  const name = genAiProvider(provider);
  return { [GEN_AI.providerName]: name, [GEN_AI.system]: name };
}
