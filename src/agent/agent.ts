/**
 * The Agent: a participant in a call that hears the people in it, answers through a realtime
 * model, and keeps the transcript in a Conversation.
 *
 *   const agent = new Agent({ edge, llm, agentUser: { id: 'assistant' }, instructions });
 *   const call = await agent.createCall('default');
 *   await agent.join(call, { signal });   // signal optional: aborting gives up joining
 *   await agent.finish();                 // the call ended, or close() was called
 *
 * `join` starts the call connection, the model session and the conversation in parallel; if
 * any fails, the others are closed and the error names the failing component; if its signal
 * aborts (or the agent is closed meanwhile), everything it started is closed and it rejects
 * with an AgentJoinCancelledError.
 *
 * The agent owns its edge, whether it was created for it or given to it: `close()` ends
 * everything the agent started and then closes the edge. One `close()` is the whole cleanup;
 * to run several agents, give each an edge of its own.
 */
import { randomUUID } from 'node:crypto';
import { AgentsError, toError, ValidationError } from '../core/errors.js';
import { EventBus, type Listener } from '../core/event-bus.js';
import { createLogger, type Logger } from '../core/logger.js';
import type { Conversation } from '../conversation/index.js';
import { withDeadline } from '../core/deadline.js';
import type { AudioOutput, ChatChannel, Connection, Edge, EdgeCall, EdgeUser, Participant } from '../edge/edge.js';
import type { Addressing, AddressingSettings } from '../turns/addressing.js';
import type { RealtimeModel, RealtimeSession } from '../llm/realtime.js';
import type { ToolList } from '../llm/tool.js';
import { ToolRegistry } from '../llm/tool-registry.js';
import { AgentJoinCancelledError, AgentJoinError } from './agent-errors.js';
import { historyContext } from './chat-history-context.js';
import { chatInstructions, resolveChatSettings, type ChatOptions, type ChatSettings } from './chat-settings.js';
import { POST_TO_CHAT_TOOL, postToChatTool } from './post-to-chat-tool.js';
import { TypedTurns } from './typed-turns.js';
import type { AgentEvents, AgentStats } from './agent-events.js';
import { AgentSpans } from './agent-spans.js';
import { AudioInput } from './audio-input.js';
import { SpeakerTracker } from './speaker-tracker.js';
import { startComponents } from './start-components.js';
import { TurnRecorder } from './turn-recorder.js';
import { resolveVideoSettings, VideoInput, type VideoSettings } from './video-input.js';

/**
 * `Tools`: the argument types of tools written inline in `tools`, inferred (see ToolList); left
 * out, any tools are accepted.
 */
export interface AgentOptions<Tools extends readonly unknown[] = any[]> extends ChatOptions {
  /** How the agent reaches calls. The agent owns it: `close()` closes it too. */
  edge: Edge;
  /** The realtime (speech-to-speech) model, e.g. GeminiRealtime. */
  llm: RealtimeModel;
  /** The agent as the others see it. `custom` gets the model's provider and name added, and `bot: true`. */
  agentUser: EdgeUser;
  instructions?: string;
  /** Where the transcript goes; default: the edge's (the call's chat channel for Stream). */
  conversation?: Conversation;
  /** A ToolRegistry, or tools written inline, each typed by its own parameters. */
  tools?: ToolRegistry | ToolList<Tools>;
  logger?: Logger;
  /**
   * Show the model one frame a second of a participant's screen share or camera (see
   * VideoInput for which). Default: the model's own setting if it has one, else false.
   */
  video?: boolean;
  /** At most one video frame per this many milliseconds; default 1 000. */
  videoIntervalMs?: number;
  /**
   * In a call with several people: `always` answers every turn (the default); `when-addressed`
   * answers a turn only when it names the agent, or is a question right after its answer (see
   * AddressingPolicy). Every turn is transcribed either way.
   */
  addressing?: Addressing;
  /** The names people call the agent by, for `when-addressed`; default: `agentUser.name`. */
  addressingNames?: readonly string[];
}

export { AgentJoinCancelledError, AgentJoinError } from './agent-errors.js';

export interface AgentJoinOptions {
  /**
   * Aborting gives up joining: everything the join started is closed and `join()` rejects with
   * an AgentJoinCancelledError. A signal already aborted starts nothing.
   */
  signal?: AbortSignal;
}

/** How long `close()` waits for a conversation it was given (and does not close) to persist. */
const GIVEN_CONVERSATION_FLUSH_MS = 10_000;

/** Why a join's controller aborts when the agent closes. */
const CLOSED_WHILE_JOINING = 'the agent was closed';

interface Joined {
  call: EdgeCall;
  connection: Connection;
  output: AudioOutput;
  session: RealtimeSession;
  conversation: Conversation;
  ownsConversation: boolean;
  input: AudioInput;
  recorder: TurnRecorder;
  /** The call's chat, read for typed turns; absent without one. */
  chat: ChatChannel | undefined;
  typed: TypedTurns | undefined;
  unsubscribe: Array<() => void>;
}

/**
 * `Tools` is only there so that tools written inline in the options are typed by their own
 * parameters; TypeScript infers it, and an agent's type does not depend on it.
 */
export class Agent<Tools extends readonly unknown[] = any[]> {
  readonly events = new EventBus<AgentEvents>();
  readonly #options: Omit<AgentOptions, 'tools'>;
  readonly #tools: ToolRegistry;
  readonly #logger: Logger;
  readonly #speakers = new SpeakerTracker();
  readonly #video: VideoSettings;
  readonly #addressing: AddressingSettings | undefined;
  readonly #chat: ChatSettings;
  /** The instructions as the model gets them (with what it should know about the chat). */
  readonly #instructions: string | undefined;
  #authenticated: Promise<void> | undefined;
  #joining: Promise<Joined> | undefined;
  /** Aborts the join in progress (its signal, or close()). */
  #joinAbort: AbortController | undefined;
  #joined: Joined | undefined;
  #closing: Promise<void> | undefined;
  #spans: AgentSpans | undefined;
  #finished!: () => void;
  readonly #finishedPromise = new Promise<void>((resolve) => (this.#finished = resolve));

  constructor(options: AgentOptions<Tools>) {
    if (!options.agentUser?.id) throw new ValidationError('agentUser.id', 'must be a non-empty string');
    this.#options = options;
    this.#video = resolveVideoSettings(options);
    this.#chat = resolveChatSettings(options);
    const tools = options.tools instanceof ToolRegistry ? options.tools : new ToolRegistry(options.tools);
    // The edge's chat, or none: a tool that posts where nobody reads is not offered. A tool of
    // the same name among the caller's is theirs to keep.
    const edgeHasChat = typeof options.edge.openChat === 'function';
    const postTool = this.#chat.tool && edgeHasChat && !tools.has(POST_TO_CHAT_TOOL);
    this.#tools = postTool ? tools.with([postToChatTool(() => this.#joined?.conversation, options.agentUser.id)]) : tools;
    const chatNote = edgeHasChat ? chatInstructions(this.#chat, postTool) : undefined;
    this.#instructions = [options.instructions, chatNote].filter(Boolean).join('\n\n') || undefined;
    this.#logger = options.logger ?? createLogger('agent', { agentUserId: options.agentUser.id });
    this.#addressing = addressingSettings(options, () => this.#joined?.connection.participants ?? []);
  }

  get agentUser(): EdgeUser {
    return this.#options.agentUser;
  }

  /** The conversation of the joined call. */
  get conversation(): Conversation | undefined {
    return this.#joined?.conversation;
  }

  /** The joined call. */
  get call(): EdgeCall | undefined {
    return this.#joined?.call;
  }

  /** Everyone in the call but the agent. */
  get humanCount(): number {
    return this.#joined?.connection.participants.length ?? 0;
  }

  on<K extends keyof AgentEvents>(event: K, listener: Listener<AgentEvents[K]>): () => void {
    return this.events.on(event, listener);
  }

  /** Gets or creates a call owned by the agent; a fresh id when none is given. */
  async createCall(type: string, id: string = randomUUID()): Promise<EdgeCall> {
    await this.#authenticate();
    return this.#options.edge.createCall(type, id);
  }

  /**
   * Joins `call`: resolves once the call, the model and the conversation are all ready. Rejects
   * with an AgentJoinError naming the component that failed, or an AgentJoinCancelledError when
   * `signal` aborts or the agent is closed meanwhile; either way nothing it started is left.
   */
  async join(call: EdgeCall, options: AgentJoinOptions = {}): Promise<void> {
    const { signal } = options;
    if (this.#closing) throw new AgentsError('This agent is closed; create a new one.', { code: 'AGENT_CLOSED' });
    if (this.#joining || this.#joined) throw new AgentsError('This agent has already joined a call.', { code: 'AGENT_JOINED' });
    if (signal?.aborted) throw new AgentJoinCancelledError(call, 'its signal was aborted before it started', signal.reason);
    const abort = new AbortController();
    const onAbort = () => abort.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    this.#joinAbort = abort;
    const cancelled = () =>
      abort.signal.reason === CLOSED_WHILE_JOINING
        ? new AgentJoinCancelledError(call, CLOSED_WHILE_JOINING)
        : new AgentJoinCancelledError(call, 'its signal was aborted', abort.signal.reason);

    const { agentUser, llm } = this.#options;
    const spans = (this.#spans = new AgentSpans({ call, agentUserId: agentUser.id, llm }));
    const joining = untilAborted(this.#authenticate(), abort.signal)
      .catch((error: unknown) => {
        throw abort.signal.aborted ? cancelled() : new AgentJoinError('call', toError(error));
      })
      .then(() => spans.inSession(() => this.#startComponents(call, spans, abort.signal)))
      .catch((error: unknown) => {
        throw abort.signal.aborted && !(error instanceof AgentJoinCancelledError) ? cancelled() : error;
      });
    void joining.then(() => spans.joined(), (error: unknown) => spans.joined(toError(error)));
    this.#joining = joining;
    let joined: Joined;
    try {
      joined = await joining;
    } finally {
      this.#joining = undefined;
      this.#joinAbort = undefined;
      signal?.removeEventListener('abort', onAbort);
    }
    // close() in the last moment of the join tears down what was started (it awaits the same promise).
    if (this.#closing) throw new AgentJoinCancelledError(call, CLOSED_WHILE_JOINING);
    this.#joined = joined;
    this.#wire(joined);
    joined.unsubscribe.push(spans.watchTurns(this.events));
    this.#logger.info({ call: call.cid }, 'agent joined the call');
    this.events.emit('agent.joined', { call });
  }

  /** Resolves when the call ends or the agent closes. */
  finish(): Promise<void> {
    return this.#finishedPromise;
  }

  /** Asks the model to say `text` aloud. */
  say(text: string): void {
    this.#session('say').say(text);
  }

  /** Asks the model to answer a text prompt (spoken, like any answer). */
  respond(text: string): void {
    this.#session('respond').sendText(text);
  }

  stats(): AgentStats {
    const joined = this.#joined;
    const turns = joined?.recorder.stats() ?? { turns: 0, interruptions: 0 };
    return {
      ...turns,
      audioUnderruns: joined?.output.stats.underruns ?? 0,
      audioSkippedMs: joined?.output.stats.skippedMs ?? 0,
      conversationRetries: joined?.conversation.stats.retries ?? 0,
      conversationFailures: joined?.conversation.stats.failures ?? 0,
    };
  }

  /**
   * Ends everything the agent started, then closes its edge: a join in progress is cancelled,
   * the model stops, turns cut short are finalised, the agent leaves the call (never waiting
   * for the transcript), the transcript is persisted (bounded: a conversation the agent created
   * is closed within its close timeout, one it was given is flushed for at most 10 s) and the
   * edge is closed. Never rejects: failures are reported as 'error' events. Idempotent.
   */
  close(reason = 'closed'): Promise<void> {
    this.#closing ??= this.#shutdown(reason);
    return this.#closing;
  }

  #authenticate(): Promise<void> {
    const { edge, agentUser, llm } = this.#options;
    this.#authenticated ??= edge.authenticate({
      ...agentUser,
      // `bot: true`: other agents in the call read its chat messages as a bot's, not as typed turns.
      custom: { ...agentUser.custom, provider: llm.provider, model: llm.model, bot: true },
    });
    return this.#authenticated;
  }

  async #startComponents(call: EdgeCall, spans: AgentSpans, signal: AbortSignal): Promise<Joined> {
    const { edge, llm } = this.#options;
    const chat = this.#chat;
    const started = await startComponents({
      call,
      edge,
      llm,
      instructions: this.#instructions,
      tools: this.#tools,
      chat: chat.input || chat.history ? { historyMessages: chat.history?.maxMessages ?? 0 } : undefined,
      addressing: this.#addressing,
      conversation: this.#options.conversation,
      spans,
      logger: this.#logger,
      signal,
    });
    const input = new AudioInput(started.session, this.#speakers);
    let typed: TypedTurns | undefined;
    const recorder = new TurnRecorder({
      session: started.session,
      output: started.output,
      conversation: started.conversation,
      speakers: this.#speakers,
      agentUserId: this.#options.agentUser.id,
      events: this.events,
      replyOf: (turnId) => typed?.replyOf(turnId) ?? 'voice',
    });
    // Before any audio flows: the model starts where the chat left off.
    if (started.chat && chat.history) started.session.addContext(historyContext(started.chat.history, chat.history));
    if (started.chat && chat.input) {
      typed = new TypedTurns({
        chat: started.chat,
        session: started.session,
        output: started.output,
        conversation: started.conversation,
        events: this.events,
        settings: chat,
        addressing: this.#addressing,
        logger: this.#logger,
      });
    }
    return { call, ...started, input, recorder, typed, unsubscribe: [] };
  }

  #wire(joined: Joined): void {
    const { connection, session, input, conversation } = joined;
    const humanCount = () => connection.participants.length;
    joined.unsubscribe.push(
      connection.events.on('audio', ({ participant, frame }) => input.push(participant, frame.samples)),
      connection.events.on('participant.joined', ({ participant }) =>
        this.events.emit('participant.joined', { participant, humanCount: humanCount() }),
      ),
      // A muted microphone is an unpublished track; leaving removes the track first, too.
      connection.events.on('track.removed', ({ participant, kind }) => {
        if (kind === 'audio') input.audioStopped(participant);
      }),
      connection.events.on('participant.left', ({ participant }) => {
        input.remove(participant);
        this.events.emit('participant.left', { participant, humanCount: humanCount() });
      }),
      connection.events.on('call.ended', ({ reason }) => void this.close(`call ended: ${reason}`)),
      connection.events.on('error', ({ error }) => this.#reportError(error)),
      session.on('error', ({ error }) => this.#reportError(error)),
      session.on('closed', ({ reason, error }) => {
        if (this.#closing) return;
        if (error) this.#reportError(error);
        void this.close(`model session closed: ${reason}`);
      }),
      conversation.events.on('conversation.error', ({ error }) => this.#reportError(error)),
    );
    if (this.#video.enabled) {
      const video = new VideoInput({
        connection,
        session,
        speakers: this.#speakers,
        intervalMs: this.#video.intervalMs,
        logger: this.#logger,
        onError: (error) => this.#reportError(error),
      });
      joined.unsubscribe.push(() => video.close());
    }
  }

  #reportError(error: Error): void {
    this.#logger.error({ err: error.message, code: (error as AgentsError).code }, 'agent error');
    this.events.emit('error', { error });
  }

  #session(method: string): RealtimeSession {
    if (!this.#joined || this.#closing) {
      throw new AgentsError(`agent.${method}() needs a joined agent: call join() first.`, { code: 'AGENT_NOT_JOINED' });
    }
    return this.#joined.session;
  }

  /** Persists what is left of the transcript (closing a conversation the agent created). */
  async #writeTranscript(joined: Joined): Promise<void> {
    try {
      if (joined.ownsConversation) {
        const report = await joined.conversation.close();
        if (!report.persisted) this.#logger.warn({ unpersisted: report.unpersisted }, 'transcript not fully persisted');
      } else {
        // Not the agent's to close; it keeps retrying in the background after the wait.
        await withDeadline(joined.conversation.flush(), GIVEN_CONVERSATION_FLUSH_MS, 'the conversation').catch(() => {
          this.#logger.warn({ waitedMs: GIVEN_CONVERSATION_FLUSH_MS }, 'transcript not fully persisted');
        });
      }
    } catch (error) {
      this.#reportError(toError(error));
    }
  }

  async #shutdown(reason: string): Promise<void> {
    this.#joinAbort?.abort(CLOSED_WHILE_JOINING);
    try {
      const joined = this.#joined ?? (await this.#joining?.catch(() => undefined));
      if (joined) await this.#leave(joined, reason);
    } finally {
      // The edge is the agent's, created for it or given: it goes last, after the transcript,
      // which the edge's conversation may write through it.
      await this.#options.edge.close().catch((error: unknown) => this.#reportError(toError(error)));
      this.#spans?.end(reason, this.stats());
      this.#finished();
    }
  }

  async #leave(joined: Joined, reason: string): Promise<void> {
    for (const unsubscribe of joined.unsubscribe.splice(0)) unsubscribe();
    joined.typed?.close();
    const chatClosed = joined.chat?.close().catch((error: unknown) => this.#reportError(toError(error)));
    joined.recorder.close();
    // The model first, so nothing new is said, and turns it cut short are final in the
    // transcript at once, in memory. Then the call is left while the transcript is written:
    // the chat is written over REST whether or not the agent is still in the call, and a
    // chat that hangs must not keep the agent in it.
    await joined.session.close().catch((error: unknown) => this.#reportError(toError(error)));
    joined.input.close();
    finishOpenMessages(joined.conversation);
    const transcriptWritten = this.#writeTranscript(joined);
    await joined.connection.close().catch((error: unknown) => this.#reportError(toError(error)));
    await chatClosed;
    this.#logger.info({ call: joined.call.cid, reason }, 'agent left the call');
    this.events.emit('agent.left', { call: joined.call, reason });
    await transcriptWritten;
  }
}

/** What the model needs to answer only turns meant for the agent; undefined for `always`. */
function addressingSettings(options: Pick<AgentOptions, 'addressing' | 'addressingNames' | 'agentUser'>, participants: () => readonly Participant[]): AddressingSettings | undefined {
  if (options.addressing === undefined || options.addressing === 'always') return undefined;
  if (options.addressing !== 'when-addressed') {
    throw new ValidationError('addressing', `must be 'always' or 'when-addressed', got ${JSON.stringify(options.addressing)}`);
  }
  const agentNames = options.addressingNames ?? (options.agentUser.name ? [options.agentUser.name] : []);
  if (agentNames.every((name) => name.trim() === '')) {
    throw new ValidationError('addressingNames', "'when-addressed' needs the agent's name: set agentUser.name or addressingNames");
  }
  return {
    addressing: 'when-addressed',
    agentNames,
    participantNames: () => participants().map((participant) => participant.name ?? participant.userId),
  };
}

/** `promise`, or the signal's reason as soon as it aborts (the work itself goes on). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Turns cut short by leaving are finalised with what was said so far (an agent reply as
 * interrupted), so no message is left generating in the chat.
 */
function finishOpenMessages(conversation: Conversation): void {
  for (const message of conversation.messages) {
    if (message.completed) continue;
    conversation.upsert({
      id: message.id,
      role: message.role,
      userId: message.userId,
      content: '',
      completed: true,
      ...(message.role === 'assistant' ? { interrupted: true } : {}),
    });
  }
}
