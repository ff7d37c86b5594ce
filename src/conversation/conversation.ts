/**
 * The transcript of a call. Writing is synchronous and in memory (`upsert` returns at once);
 * persistence happens behind it in a SyncWorker that keeps order, coalesces, throttles and
 * retries. A concrete conversation implements one hook, `persist`, which stores the latest
 * state of one message; `InMemoryConversation` stores nothing, `StreamConversation` writes to
 * a Stream Chat channel.
 */
import { randomUUID } from 'node:crypto';
import { AgentsError } from '../core/errors.js';
import { EventBus } from '../core/event-bus.js';
import { createLogger, type Logger } from '../core/logger.js';
import { DeltaAssembler } from './delta-assembler.js';
import { validateUpsert, type Message, type Role, type UpsertInput } from './message.js';
import { traceSync } from './sync-span.js';
import { SyncWorker, type RetryVerdict } from './sync-worker.js';

export type { Message, Role, UpsertInput } from './message.js';

/** What the AI indicator on the conversation shows. */
export type IndicatorState = 'thinking' | 'generating' | 'idle';

/** One write for the persistence hook: the latest state of one message. */
export interface PersistRequest {
  /** A copy taken when the write started; later changes come in a later request. */
  message: Readonly<Message>;
  /** The message is complete: this write must store its final content. */
  final: boolean;
}

export interface ConversationEvents {
  'message.created': { message: Readonly<Message> };
  'message.updated': { message: Readonly<Message> };
  'message.completed': { message: Readonly<Message> };
  /** A change could not be persisted (a permanent error, or retries ran out, or close timed out). */
  'conversation.error': { error: Error; messageId?: string };
  error: { error: Error; event?: string };
}

export interface ConversationOptions {
  /** At most one non-final update of a message per interval; default 250. */
  minUpdateIntervalMs?: number;
  /** Attempts per write for retryable errors; default 8. */
  maxAttempts?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** How long `close()` waits for pending writes; default 10 000. */
  closeTimeoutMs?: number;
  logger?: Logger;
}

/** How persistence has gone so far. */
export interface ConversationStats {
  /** Writes retried after a retryable error. */
  retries: number;
  /** Writes given up (permanent error, retries exhausted, or close timed out). */
  failures: number;
}

export interface CloseReport {
  /** Every change was persisted. */
  persisted: boolean;
  /** Ids of messages whose latest state was not persisted. */
  unpersisted: string[];
}

/** `close()` was called; the conversation takes no more writes. */
export class ConversationClosedError extends AgentsError {
  constructor() {
    super('The conversation is closed; create a new one to keep writing.', { code: 'CONVERSATION_CLOSED' });
  }
}

/** A change that did not reach the store. */
export class ConversationSyncError extends AgentsError {
  readonly messageId: string | undefined;
  constructor(message: string, messageId: string | undefined, cause?: unknown) {
    super(message, { code: 'CONVERSATION_SYNC', cause });
    this.messageId = messageId;
  }
}

const INDICATOR_KEY = '\u0000indicator';

const DEFAULTS = {
  minUpdateIntervalMs: 250,
  maxAttempts: 8,
  backoffBaseMs: 200,
  backoffMaxMs: 10_000,
  closeTimeoutMs: 10_000,
} satisfies Omit<Required<ConversationOptions>, 'logger'>;

export abstract class Conversation {
  readonly events = new EventBus<ConversationEvents>();
  protected readonly logger: Logger;
  readonly #messages: Message[] = [];
  readonly #byId = new Map<string, Message>();
  readonly #assemblers = new Map<string, DeltaAssembler>();
  readonly #worker: SyncWorker;
  readonly #closeTimeoutMs: number;
  #indicator: { state: IndicatorState; messageId?: string } = { state: 'idle' };
  #closing: Promise<CloseReport> | undefined;
  readonly #stats: ConversationStats = { retries: 0, failures: 0 };

  constructor(options: ConversationOptions = {}) {
    const settings = { ...DEFAULTS, ...definedOnly(options) };
    this.logger = options.logger ?? createLogger('conversation');
    this.#closeTimeoutMs = settings.closeTimeoutMs;
    this.#worker = new SyncWorker({
      minUpdateIntervalMs: settings.minUpdateIntervalMs,
      maxAttempts: settings.maxAttempts,
      backoffBaseMs: settings.backoffBaseMs,
      backoffMaxMs: settings.backoffMaxMs,
      write: (key, signal, attempt) => this.#write(key, signal, attempt),
      isUrgent: (key) => key === INDICATOR_KEY || this.#byId.get(key)?.completed === true,
      classify: (error) => this.classifyError(error),
      onRetry: (key, error, attempt, delayMs) => {
        this.#stats.retries++;
        this.logger.warn({ messageId: key, attempt, delayMs, err: error.message }, 'conversation write failed; retrying');
      },
      onFailure: (key, error, attempts) => this.#reportFailure(key, error, attempts),
    });
  }

  /**
   * Stores the latest state of one message. Called by the background worker, one call at a
   * time, in the order messages were created; retried when it throws an error that
   * `classifyError` calls retryable. Must be safe to call again after a partial failure.
   */
  protected abstract persist(request: PersistRequest, signal: AbortSignal): Promise<void>;

  /** Shows the AI indicator state; a store without one ignores it. */
  protected persistIndicator(_state: IndicatorState, _messageId: string | undefined, _signal: AbortSignal): Promise<void> {
    return Promise.resolve();
  }

  /** Which persistence errors are worth retrying. Default: those with `retryable: true`. */
  protected classifyError(error: Error): RetryVerdict {
    const candidate = error as Error & { retryable?: unknown; retryAfterMs?: unknown };
    return {
      retryable: candidate.retryable === true,
      retryAfterMs: typeof candidate.retryAfterMs === 'number' ? candidate.retryAfterMs : undefined,
    };
  }

  get stats(): Readonly<ConversationStats> {
    return this.#stats;
  }

  /** Messages in creation order. */
  get messages(): readonly Readonly<Message>[] {
    return this.#messages;
  }

  get(id: string): Readonly<Message> | undefined {
    return this.#byId.get(id);
  }

  /** The last `limit` messages with content, oldest first: the context to give a model. */
  history(options: { limit?: number } = {}): Readonly<Message>[] {
    const withContent = this.#messages.filter((message) => message.content.length > 0);
    return options.limit === undefined ? withContent : withContent.slice(-Math.max(0, options.limit));
  }

  /**
   * Creates or updates a message in memory and returns it at once; persistence follows in
   * the background. Throws ValidationError (and changes nothing) for bad input.
   */
  upsert(input: UpsertInput): Readonly<Message> {
    validateUpsert(input);
    if (this.#closing) throw new ConversationClosedError();
    const existing = input.id === undefined ? undefined : this.#byId.get(input.id);
    return existing ? this.#update(existing, input) : this.#create(input);
  }

  /** A complete message in one call. */
  send(role: Role, userId: string, text: string): Readonly<Message> {
    return this.upsert({ role, userId, content: text, completed: true });
  }

  /** Sets the AI indicator (thinking while the model works, generating while it answers). */
  setIndicator(state: IndicatorState, messageId?: string): void {
    if (this.#closing) return;
    if (this.#indicator.state === state && this.#indicator.messageId === messageId) return;
    this.#indicator = { state, messageId };
    this.#worker.markDirty(INDICATOR_KEY);
  }

  /** Resolves when every change so far is persisted (or reported as failed). */
  flush(): Promise<void> {
    return this.#worker.flush();
  }

  /** Stops taking writes, persists what is pending within the close timeout, and reports. */
  close(): Promise<CloseReport> {
    this.#closing ??= this.#drain();
    return this.#closing;
  }

  async #drain(): Promise<CloseReport> {
    if (this.#indicator.state !== 'idle') {
      this.#indicator = { state: 'idle' };
      this.#worker.markDirty(INDICATOR_KEY);
    }
    const report = await this.#worker.drain(this.#closeTimeoutMs);
    const unpersisted = report.unpersisted.filter((key) => key !== INDICATOR_KEY);
    for (const messageId of unpersisted) {
      this.#stats.failures++;
      this.events.emit('conversation.error', {
        error: new ConversationSyncError(`Message ${messageId} was not persisted before close() timed out.`, messageId),
        messageId,
      });
    }
    await this.onClose();
    return { persisted: unpersisted.length === 0, unpersisted };
  }

  /** Releases whatever the store holds, after the last write. */
  protected onClose(): Promise<void> {
    return Promise.resolve();
  }

  #create(input: UpsertInput): Message {
    const assembler = new DeltaAssembler();
    const message: Message = {
      id: input.id ?? randomUUID(),
      role: input.role,
      userId: input.userId,
      content: input.replace ? input.content : assembler.accept(input.content, input.contentIndex),
      timestamp: new Date(),
      completed: false,
    };
    if (input.replace) message.content += assembler.replaced(input.contentIndex);
    if (input.original !== undefined) message.original = input.original;
    if (input.interrupted !== undefined) message.interrupted = input.interrupted;
    this.#messages.push(message);
    this.#byId.set(message.id, message);
    this.#assemblers.set(message.id, assembler);
    this.events.emit('message.created', { message });
    if (input.completed) this.#complete(message);
    else if (message.role === 'assistant') this.setIndicator('generating', message.id);
    if (!input.stored) this.#worker.markDirty(message.id);
    return message;
  }

  #update(message: Message, input: UpsertInput): Message {
    if (message.completed) return message;
    const assembler = this.#assemblers.get(message.id)!;
    const before = message.content;
    if (input.replace) message.content = input.content + assembler.replaced(input.contentIndex);
    else message.content += assembler.accept(input.content, input.contentIndex);
    if (input.original !== undefined) message.original = input.original;
    if (input.interrupted !== undefined) message.interrupted = input.interrupted;
    if (input.completed) {
      this.#complete(message);
    } else if (message.content !== before) {
      // Checked first so that a delta nobody listens to allocates nothing.
      if (this.events.listenerCount('message.updated') > 0) this.events.emit('message.updated', { message });
    } else {
      return message;
    }
    this.#worker.markDirty(message.id);
    return message;
  }

  #complete(message: Message): void {
    message.content += this.#assemblers.get(message.id)?.drain() ?? '';
    message.completed = true;
    this.#assemblers.delete(message.id);
    this.events.emit('message.completed', { message });
    if (this.#indicator.messageId === message.id) this.setIndicator('idle');
  }

  #write(key: string, signal: AbortSignal, attempt: number): Promise<void> {
    if (key === INDICATOR_KEY) {
      const { state, messageId } = this.#indicator;
      return traceSync({ kind: 'indicator' }, attempt, () => this.persistIndicator(state, messageId, signal));
    }
    const message = this.#byId.get(key);
    if (!message) return Promise.resolve();
    const snapshot: Message = { ...message };
    const final = snapshot.completed;
    return traceSync({ kind: 'message', messageId: key, final }, attempt, () => this.persist({ message: snapshot, final }, signal)).then(() => {
      if (final) this.#worker.forget(key);
    });
  }

  #reportFailure(key: string, error: Error, attempts: number): void {
    const messageId = key === INDICATOR_KEY ? undefined : key;
    this.#stats.failures++;
    this.logger.error({ messageId, attempts, err: error.message }, 'conversation write failed permanently');
    const failure = new ConversationSyncError(
      `Could not persist ${messageId ? `message ${messageId}` : 'the AI indicator'} after ${attempts} attempt(s): ${error.message}`,
      messageId,
      error,
    );
    this.events.emit('conversation.error', { error: failure, messageId });
  }
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}

