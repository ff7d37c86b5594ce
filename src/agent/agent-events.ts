/** Everything an Agent reports, by name. */
import type { ErrorEvents } from '../core/event-bus.js';
import type { EdgeCall, IgnoredChatMessageReason, Participant, TypedMessage } from '../edge/edge.js';
import type { ToolCall, ToolResult } from '../llm/tool.js';
import type { StageMetrics } from '../llm/realtime.js';

export interface TranscriptEvent {
  role: 'user' | 'assistant';
  /** The participant who spoke (or typed), or the agent's user id. */
  userId: string;
  /** Their name, where it is known (typed turns carry the chat's). */
  userName?: string;
  turnId: string;
  /** The turn's text so far (final: all of it). */
  text: string;
  delta: string;
  final: boolean;
  /** The turn was typed into the call's chat, not spoken. */
  typed?: boolean;
}

/** Figures of one exchange, emitted when the agent's turn ends. */
export interface TurnMetrics {
  turnId: string;
  /** End of the user's speech (as the model reported it) → the model's first audio or text. */
  responseLatencyMs?: number;
  /** The model's first audio chunk received → its first frame handed to the published track. */
  playoutLatencyMs?: number;
  /** How much of the reply was heard, when it was cut short. */
  playedMs?: number;
  /** How much audio the model produced for the reply (with `playedMs`: the share that was heard). */
  generatedMs?: number;
  interrupted: boolean;
  /** Stage timings, from a model made of stages (pipeline mode). */
  stages?: StageMetrics;
}

export interface AgentEvents extends ErrorEvents {
  'agent.joined': { call: EdgeCall };
  'agent.left': { call: EdgeCall; reason: string };
  'participant.joined': { participant: Participant; humanCount: number };
  'participant.left': { participant: Participant; humanCount: number };
  'user.turn.started': { turnId: string; userId: string };
  'user.turn.ended': { turnId: string; userId: string };
  'agent.turn.started': { turnId: string };
  'agent.turn.ended': { turnId: string; text: string; interrupted: boolean };
  /** The agent's voice started on the call: its first frame was handed to the track (performance.now() time). */
  'agent.speech.started': { turnId: string | undefined; atMs: number };
  /** The agent's voice stopped: played out ('ended'), cut by a barge-in ('flushed'), or stalled ('timeout'). */
  'agent.speech.stopped': { turnId: string | undefined; atMs: number; reason: 'ended' | 'flushed' | 'timeout'; playedMs: number };
  /** Someone spoke over the agent: its voice is held where it is until it is cut or resumes. */
  'agent.speech.paused': { turnId: string };
  /** It was not an interruption (no words followed): the voice plays on from where it was held. */
  'agent.speech.resumed': { turnId: string };
  transcript: TranscriptEvent;
  /** A person typed a message into the call's chat: it is their turn (recorded, and sent to the model). */
  'chat.message': { message: TypedMessage };
  /**
   * A chat message that is not a typed turn, and why (see IgnoredChatMessageReason); or a typed
   * turn not sent to the model: over its author's rate limit, or the oldest of too many waiting
   * (`backlog`). It stays in the chat either way.
   */
  'chat.message.ignored': { messageId: string; userId?: string; reason: IgnoredChatMessageReason | 'rate-limited' | 'backlog' };
  /** Typed turns went to the model, together as one turn; `answered`: it was asked to answer (else context only, `when-addressed`). */
  'chat.turn': { messageIds: string[]; answered: boolean };
  'tool.call': { call: ToolCall };
  'tool.result': { call: ToolCall; result: ToolResult };
  metrics: TurnMetrics;
}

/** Totals of a session so far. */
export interface AgentStats {
  turns: number;
  interruptions: number;
  /** Times the agent's voice ran dry in the middle of an answer. */
  audioUnderruns: number;
  /** Audio the pacer skipped because the event loop came too late (an overloaded process). */
  audioSkippedMs: number;
  conversationRetries: number;
  conversationFailures: number;
}
