/**
 * What people type into the call's chat, as their turns: each message a person types (the chat
 * channel sorts out the rest) is recorded in the conversation under its author, like a spoken
 * turn, and goes to the model as that person's turn, in text.
 *
 * A typed turn does not cut the agent off: it waits while someone is speaking, while a spoken
 * turn waits for its answer, and while the agent answers and its voice plays, then goes at the
 * first quiet moment (at once when it is quiet already). Turns typed meanwhile go together, one
 * model turn for all of them, so a burst of messages gets one answer, not one each. A wait lasts
 * MAX_WAIT_MS at most: a conversation that never pauses still reads the chat.
 *
 * With `addressing: 'when-addressed'` (a group call) a typed turn is answered when it names the
 * agent, or is a question right after its answer to typed turns (AddressingPolicy, as for speech);
 * the others go to the model as context only, so it knows what was said when it is asked.
 *
 * Each person has a rate limit (TypedTurnRateLimit); a message over it is ignored, and stays in
 * the chat; so does the oldest waiting turn when MAX_WAITING_TURNS are waiting. The model's answer to typed turns goes where `replies` says (see `replyOf`).
 */
import type { EventBus } from '../core/event-bus.js';
import type { Logger } from '../core/logger.js';
import type { Conversation } from '../conversation/index.js';
import type { AudioOutput, ChatChannel, TypedMessage } from '../edge/edge.js';
import type { RealtimeSession } from '../llm/realtime.js';
import { AddressingPolicy, type AddressingSettings } from '../turns/addressing.js';
import type { AgentEvents } from './agent-events.js';
import type { ChatReplies, ChatSettings } from './chat-settings.js';
import { TypedTurnRateLimit } from './typed-turn-rate-limit.js';

/** The longest a typed turn waits for a quiet moment. */
export const MAX_WAIT_MS = 15_000;
/** After a spoken turn ends, how long its answer is waited for before the turn counts as unanswered. */
const ANSWER_GRACE_MS = 1_500;
/** After typed turns went to the model, how long its answer is waited for (a text turn is answered after a model's full latency). */
const TYPED_ANSWER_GRACE_MS = 5_000;
/** One typed message, as the model gets it. */
export const MAX_TYPED_CHARS = 2_000;
/** An author's name, as the model gets it. */
const MAX_NAME_CHARS = 64;
/**
 * Typed turns waiting at once. Each person's rate limit bounds what one person adds; many people
 * together could still fill a model turn without end, so beyond this the oldest waiting give way.
 */
export const MAX_WAITING_TURNS = 20;

export interface TypedTurnsInit {
  chat: ChatChannel;
  session: RealtimeSession;
  output: AudioOutput;
  conversation: Conversation;
  events: EventBus<AgentEvents>;
  settings: Pick<ChatSettings, 'replies' | 'rateLimit'>;
  /** Group calls: only typed turns meant for the agent are answered. Unset: every one is. */
  addressing?: AddressingSettings;
  logger: Logger;
}

interface Waiting {
  message: TypedMessage;
  /** Meant for the agent: it asks for an answer; otherwise context only. */
  addressed: boolean;
}

export class TypedTurns {
  readonly #init: TypedTurnsInit;
  readonly #rateLimit: TypedTurnRateLimit;
  readonly #unsubscribe: Array<() => void> = [];
  #pending: Waiting[] = [];
  readonly #addressing: AddressingPolicy | undefined;
  /** For the addressing policy's follow-up rule: the agent's last answer to typed turns. */
  #answeredAtMs: number | undefined;
  #answeredText: string | undefined;
  #typedSinceAnswer = 0;
  #userSpeaking = false;
  #awaitingAnswer = false;
  #answering = false;
  #playing = false;
  /** Whether the next answer answers typed turns, and the model turn that does, until it is over. */
  #nextAnswerIsReply = false;
  #replyTurn: string | undefined;
  #graceTimer: NodeJS.Timeout | undefined;
  #waitTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(init: TypedTurnsInit) {
    this.#init = init;
    this.#rateLimit = new TypedTurnRateLimit(init.settings.rateLimit);
    this.#addressing = init.addressing && new AddressingPolicy(init.addressing);
    const { chat, session, output } = init;
    this.#unsubscribe.push(
      chat.events.on('message', ({ message }) => this.#onTyped(message)),
      chat.events.on('ignored', ({ messageId, userId, reason }) => {
        init.logger.debug({ messageId, reason }, 'chat message is not a typed turn');
        init.events.emit('chat.message.ignored', { messageId, userId, reason });
      }),
      chat.events.on('disconnected', ({ reason }) => init.logger.warn({ reason }, 'chat socket lost; reconnecting')),
      chat.events.on('reconnected', ({ caughtUp }) => init.logger.info({ caughtUp }, 'chat socket back; missed messages read')),
      chat.events.on('error', ({ error }) => init.events.emit('error', { error })),
      session.on('user.speech.started', () => {
        this.#userSpeaking = true;
      }),
      session.on('user.speech.ended', () => {
        this.#userSpeaking = false;
        this.#awaitingAnswer = true;
      }),
      session.on('input.transcript.done', () => this.#answerGrace(ANSWER_GRACE_MS)),
      session.on('response.started', ({ turnId }) => this.#onAnswerStarted(turnId)),
      session.on('turn.complete', ({ turnId }) => {
        if (this.#replyTurn === turnId) {
          this.#answeredAtMs = performance.now();
          this.#typedSinceAnswer = 0;
          // After the recorder has read it (it listens first); later answers are not replies.
          queueMicrotask(() => {
            if (this.#replyTurn === turnId) this.#replyTurn = undefined;
          });
        }
        this.#answering = false;
        this.#awaitingAnswer = false;
        this.#deliverIfQuiet();
      }),
      output.events.on('playbackStarted', () => {
        this.#playing = true;
      }),
      output.events.on('playbackDrained', () => {
        this.#playing = false;
        this.#deliverIfQuiet();
      }),
    );
  }

  /** Where the answer `turnId` goes: `voice` unless it answers typed turns. */
  replyOf(turnId: string): ChatReplies {
    return turnId === this.#replyTurn ? this.#init.settings.replies : 'voice';
  }

  close(): void {
    this.#closed = true;
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    clearTimeout(this.#graceTimer);
    clearTimeout(this.#waitTimer);
    this.#pending = [];
  }

  get #quiet(): boolean {
    return !this.#userSpeaking && !this.#awaitingAnswer && !this.#answering && !this.#playing;
  }

  #onTyped(message: TypedMessage): void {
    if (this.#closed) return;
    const { conversation, events, logger } = this.#init;
    if (!this.#rateLimit.take(message.userId)) {
      logger.info({ messageId: message.id, userId: message.userId }, 'typed turn over its author’s rate limit; ignored');
      events.emit('chat.message.ignored', { messageId: message.id, userId: message.userId, reason: 'rate-limited' });
      return;
    }
    // It is in the chat already: kept in the conversation, never written again.
    conversation.upsert({ id: message.id, role: 'user', userId: message.userId, content: message.text, completed: true, stored: true });
    events.emit('chat.message', { message });
    events.emit('transcript', {
      role: 'user',
      userId: message.userId,
      ...(message.userName ? { userName: message.userName } : {}),
      turnId: message.id,
      text: message.text,
      delta: message.text,
      final: true,
      typed: true,
    });
    this.#pending.push({ message, addressed: this.#isAddressed(message) });
    for (const { message: dropped } of this.#pending.splice(0, Math.max(0, this.#pending.length - MAX_WAITING_TURNS))) {
      logger.info({ messageId: dropped.id, userId: dropped.userId }, 'too many typed turns waiting; the oldest is dropped');
      events.emit('chat.message.ignored', { messageId: dropped.id, userId: dropped.userId, reason: 'backlog' });
    }
    this.#deliverIfQuiet();
    if (this.#pending.length > 0) this.#waitTimer ??= setTimeout(() => this.#deliver(), MAX_WAIT_MS);
  }

  #isAddressed(message: TypedMessage): boolean {
    if (!this.#addressing) return true;
    const addressed = this.#addressing.isAddressed(message.text, {
      agentAnsweredAtMs: this.#answeredAtMs,
      turnsSinceAnswer: this.#typedSinceAnswer,
      answeredText: this.#answeredText,
      participantNames: this.#init.addressing?.participantNames() ?? [],
      nowMs: performance.now(),
    });
    this.#typedSinceAnswer += 1;
    if (addressed) this.#answeredText = message.text;
    return addressed;
  }

  #onAnswerStarted(turnId: string): void {
    this.#awaitingAnswer = false;
    this.#answering = true;
    clearTimeout(this.#graceTimer);
    if (this.#nextAnswerIsReply) {
      this.#nextAnswerIsReply = false;
      this.#replyTurn = turnId;
    }
  }

  /** A turn is final; an answer not started within the grace is not coming. */
  #answerGrace(graceMs: number): void {
    if (!this.#awaitingAnswer || this.#answering) return;
    clearTimeout(this.#graceTimer);
    this.#graceTimer = setTimeout(() => {
      this.#awaitingAnswer = false;
      this.#deliverIfQuiet();
    }, graceMs);
  }

  #deliverIfQuiet(): void {
    if (this.#pending.length > 0 && this.#quiet) this.#deliver();
  }

  #deliver(): void {
    clearTimeout(this.#waitTimer);
    this.#waitTimer = undefined;
    const waiting = this.#pending;
    this.#pending = [];
    const { session, events } = this.#init;
    if (waiting.length === 0 || this.#closed || session.closed) return;
    // One of them is for the agent: all go as one turn that asks for an answer. None: context.
    const answer = waiting.some(({ addressed }) => addressed);
    session.sendText(waiting.map(({ message }) => asModelText(message)).join('\n'), { turnComplete: answer });
    if (answer) {
      this.#nextAnswerIsReply = true;
      this.#awaitingAnswer = true;
      this.#answerGrace(TYPED_ANSWER_GRACE_MS);
    }
    events.emit('chat.turn', { messageIds: waiting.map(({ message }) => message.id), answered: answer });
  }
}

/** One typed message as the model reads it: who typed what. */
function asModelText(message: TypedMessage): string {
  const author = (message.userName ?? message.userId).replace(/\s+/g, ' ').trim().slice(0, MAX_NAME_CHARS);
  const text = message.text.length > MAX_TYPED_CHARS ? `${message.text.slice(0, MAX_TYPED_CHARS)}…` : message.text;
  return `${author} typed in the chat: ${text}`;
}
