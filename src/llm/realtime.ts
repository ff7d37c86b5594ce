/**
 * The provider-neutral realtime (speech-to-speech) model interface the Agent talks to.
 *
 * A `RealtimeModel` opens a `RealtimeSession`: a long-lived, bidirectional conversation where
 * the caller streams the user's audio in and receives the model's audio, transcripts, tool calls
 * and turn boundaries as typed events. Nothing here knows about a provider: Gemini Live is one
 * implementation (`gemini/realtime.ts`); an OpenAI Realtime session fits the same shape.
 *
 * Turn model, in the order the events arrive for one exchange:
 *   user.speech.started → input.transcript* → user.speech.ended → response.started →
 *   (audio | output.transcript)* → turn.complete → input.transcript.done
 * A barge-in replaces `turn.complete` with `interrupted` followed by `turn.complete
 * { interrupted: true }`. Providers that do not report speech boundaries directly derive them
 * (each implementation documents how). Ids (`turnId`) are unique, so they can key transcript
 * messages in a Conversation.
 */
import type { ErrorEvents, EventBus } from '../core/event-bus.js';
import type { AddressingSettings } from '../turns/addressing.js';
import type { TokenUsage } from './llm.js';
import type { ToolCall, ToolResult } from './tool.js';
import type { ToolRegistry } from './tool-registry.js';

export interface RealtimeEvents extends ErrorEvents {
  /** The user started speaking (a new user turn). */
  'user.speech.started': { turnId: string };
  /** A piece of the user's transcript; `text` is the turn's transcript so far. */
  'input.transcript': { turnId: string; delta: string; text: string };
  /** The user stopped speaking (the model took the turn). Late transcript deltas may still follow. */
  'user.speech.ended': { turnId: string };
  /** The user's turn is final: no more deltas for `turnId`. */
  'input.transcript.done': { turnId: string; text: string };
  /** The model's first audio or text of a turn. */
  'response.started': { turnId: string };
  /** Model audio, as each chunk arrives (faster than real time: the caller paces playback). */
  audio: { turnId: string; samples: Int16Array; sampleRate: number };
  /** A piece of the model's transcript; `text` is the turn's transcript so far. */
  'output.transcript': { turnId: string; delta: string; text: string };
  /**
   * The user barged in: stop playback and drop queued audio now. `turnId` is the model turn
   * that was cut, when one was still generating.
   */
  interrupted: { turnId: string | undefined };
  /**
   * Speech over the model's answer that may not be an interruption (a cough, a chair, "mm-hmm"):
   * hold its playback where it is, dropping nothing. `interrupted` or `playback.resume` follows.
   */
  'playback.pause': { turnId: string };
  /** It was not an interruption: play on from where playback was held. */
  'playback.resume': { turnId: string };
  /**
   * Stage timings of one answer, from a model made of stages (pipeline mode), before its
   * `turn.complete`; see TurnMetrics' fields of the same names.
   */
  'turn.metrics': { turnId: string } & StageMetrics;
  /** The model's turn is final. `text` is what it produced; `interrupted` if it was cut short. */
  'turn.complete': { turnId: string; text: string; interrupted: boolean };
  /** The model asked for a tool. Registry tools run by themselves; others wait for `sendToolResult`. */
  'tool.call': { call: ToolCall };
  /** A tool answered; the result goes back to the model. */
  'tool.result': { call: ToolCall; result: ToolResult };
  /** Tokens reported by the provider for a response. */
  usage: { model: string; usage: TokenUsage };
  /** The connection was lost (or is being replaced) and a new one is being opened. */
  reconnecting: { attempt: number; reason: string; delayMs: number };
  /** A new connection carries the session; `resumed` if the provider kept the conversation state. */
  reconnected: { resumed: boolean };
  /** The session ended (by `close()`, or for good after `error`). Emitted once. */
  closed: { reason: string; error?: Error };
}

export type RealtimeEventName = keyof RealtimeEvents;

/** How long each stage of a cascaded answer took, in ms; absent where it does not apply. */
export interface StageMetrics {
  /** The user's speech ended (the VAD's, else the STT's) → the turn was taken as over. */
  endOfTurnDelayMs?: number;
  /** The user's speech ended → the STT's last final transcript of the turn (negative: it came first). */
  sttFinalLatencyMs?: number;
  /** The LLM was asked → its first text. */
  llmFirstTokenMs?: number;
  /** The TTS got its first text → its first audio. */
  ttsFirstByteMs?: number;
  /** The user's speech ended → the answer's first audio, all stages together. */
  endToEndMs?: number;
}

/** An earlier turn of the conversation, for the model's context (see `addContext`). */
export interface ContextTurn {
  role: 'user' | 'assistant';
  text: string;
}

export interface RealtimeSendTextOptions {
  /** Ask for a response now (true, the default) or only add the text to the context. */
  turnComplete?: boolean;
}

/** A live conversation with a realtime model. Events keep flowing across reconnections. */
export interface RealtimeSession
  extends Pick<EventBus<RealtimeEvents>, 'on' | 'once' | 'off' | 'next' | 'listenerCount'> {
  readonly provider: string;
  readonly model: string;
  /** The sample rate `sendAudio` accepts, in Hz. */
  readonly inputSampleRate: number;
  /** The sample rate of `audio` events, in Hz. */
  readonly outputSampleRate: number;
  /** True once the session has ended; sends are then ignored or rejected. */
  readonly closed: boolean;
  /**
   * Streams the user's audio: 16-bit mono PCM at `inputSampleRate` (a ValidationError names
   * a wrong rate). Called every 10–20 ms on the hot path; never blocks, never awaits.
   */
  sendAudio(samples: Int16Array, sampleRate: number): void;
  /**
   * The user's audio stopped without trailing silence (a microphone muted, the speaker left):
   * a user turn in progress ends now, as if silence had followed, so it is answered. Voice
   * activity detection waits for silence, and audio that stops brings none. Audio sent later
   * starts afresh. Never blocks.
   */
  audioStreamEnded(): void;
  /** Sends a user text message (the Agent's `respond(text)`). */
  sendText(text: string, options?: RealtimeSendTextOptions): void;
  /**
   * Adds earlier turns to the model's context without asking for an answer: what was said and
   * typed before this session began, so that a rejoining agent continues the conversation.
   * Meant for the start, before the first turn. Never blocks.
   */
  addContext(turns: readonly ContextTurn[]): void;
  /** Asks the model to speak exactly `text` (best effort: the model voices it itself). */
  say(text: string): void;
  /** Sends one camera or screen frame as JPEG; the session rate-limits and may drop frames. */
  sendVideoFrame(jpeg: Uint8Array): void;
  /** Answers a `tool.call` for a tool the registry does not run (one without `execute`). */
  sendToolResult(callId: string, result: ToolResult): void;
  /** Ends the session: sockets, timers and running tools are gone when it resolves. Idempotent. */
  close(): Promise<void>;
}

export interface RealtimeConnectOptions {
  /** The system instruction for the whole session. */
  instructions?: string;
  /** Tools the model may call; registry tools with `execute` run concurrently by themselves. */
  tools?: ToolRegistry;
  /** Aborting cancels the connection attempt, or closes the session once it is open. */
  signal?: AbortSignal;
  /**
   * In a call with several people, answer only the turns meant for the agent (AddressingPolicy);
   * every turn is still transcribed. Unset: every turn is answered.
   */
  addressing?: AddressingSettings;
}

export interface RealtimeModel {
  /** The provider's name, e.g. 'gemini'. */
  readonly provider: string;
  readonly model: string;
  /** Whether sessions take video frames (`sendVideoFrame`); absent means the model does not say. */
  readonly video?: boolean;
  /** Opens a session; resolves once the provider has accepted it. Throws ProviderError. */
  connect(options?: RealtimeConnectOptions): Promise<RealtimeSession>;
}
