/**
 * The Agent: a participant in a call that hears the people in it, answers through a realtime
 * model, and keeps the transcript in a Conversation.
 *
 *   const agent = new Agent({ edge, llm, agentUser: { id: 'assistant' }, instructions });
 *   const call = await agent.createCall('default');
 *   await agent.join(call);
 *   await agent.finish();          // the call ended, or close() was called
 *
 * `join` starts the call connection, the model session and the conversation in parallel; if
 * any fails, the others are closed and the error names the failing component. `close` is
 * idempotent: it stops the model, leaves the call and flushes the transcript.
 */
import { randomUUID } from 'node:crypto';
import { AgentsError, toError, ValidationError } from '../core/errors.js';
import { EventBus, type Listener } from '../core/event-bus.js';
import { createLogger, type Logger } from '../core/logger.js';
import type { Conversation } from '../conversation/index.js';
import type { AudioOutput, Connection, Edge, EdgeCall, EdgeUser } from '../edge/edge.js';
import type { RealtimeModel, RealtimeSession } from '../llm/realtime.js';
import type { ToolList } from '../llm/tool.js';
import { ToolRegistry } from '../llm/tool-registry.js';
import type { AgentEvents, AgentStats } from './agent-events.js';
import { AgentSpans } from './agent-spans.js';
import { AudioInput } from './audio-input.js';
import { SpeakerTracker } from './speaker-tracker.js';
import { TurnRecorder } from './turn-recorder.js';
import { resolveVideoSettings, VideoInput, type VideoSettings } from './video-input.js';

/**
 * `Tools`: the argument types of tools written inline in `tools`, inferred (see ToolList); left
 * out, any tools are accepted.
 */
export interface AgentOptions<Tools extends readonly unknown[] = any[]> {
  edge: Edge;
  /** The realtime (speech-to-speech) model, e.g. GeminiRealtime. */
  llm: RealtimeModel;
  /** The agent as the others see it. `custom` gets the model's provider and name added. */
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
}

/** Joining failed; `component` says which part ('call', 'model' or 'conversation'). */
export class AgentJoinError extends AgentsError {
  readonly component: string;
  constructor(component: string, cause: Error) {
    super(`The agent could not join: the ${component} failed to start: ${cause.message}`, {
      code: 'AGENT_JOIN',
      retryable: (cause as { retryable?: boolean }).retryable ?? false,
      cause,
    });
    this.component = component;
  }
}

interface Joined {
  call: EdgeCall;
  connection: Connection;
  output: AudioOutput;
  session: RealtimeSession;
  conversation: Conversation;
  ownsConversation: boolean;
  input: AudioInput;
  recorder: TurnRecorder;
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
  #authenticated: Promise<void> | undefined;
  #joining: Promise<Joined> | undefined;
  #joined: Joined | undefined;
  #closing: Promise<void> | undefined;
  #spans: AgentSpans | undefined;
  #finished!: () => void;
  readonly #finishedPromise = new Promise<void>((resolve) => (this.#finished = resolve));

  constructor(options: AgentOptions<Tools>) {
    if (!options.agentUser?.id) throw new ValidationError('agentUser.id', 'must be a non-empty string');
    this.#options = options;
    this.#video = resolveVideoSettings(options);
    this.#tools = options.tools instanceof ToolRegistry ? options.tools : new ToolRegistry(options.tools);
    this.#logger = options.logger ?? createLogger('agent', { agentUserId: options.agentUser.id });
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

  /** Joins `call`: resolves once the call, the model and the conversation are all ready. */
  async join(call: EdgeCall): Promise<void> {
    if (this.#closing) throw new AgentsError('This agent is closed; create a new one.', { code: 'AGENT_CLOSED' });
    if (this.#joining || this.#joined) throw new AgentsError('This agent has already joined a call.', { code: 'AGENT_JOINED' });
    const { agentUser, llm } = this.#options;
    const spans = (this.#spans = new AgentSpans({ call, agentUserId: agentUser.id, llm }));
    const joining = this.#authenticate()
      .catch((error: unknown) => {
        throw new AgentJoinError('call', toError(error));
      })
      .then(() => spans.inSession(() => this.#startComponents(call, spans)));
    void joining.then(() => spans.joined(), (error: unknown) => spans.joined(toError(error)));
    this.#joining = joining;
    let joined: Joined;
    try {
      joined = await joining;
    } finally {
      this.#joining = undefined;
    }
    // close() during the join tears down what was started (it awaited the same promise).
    if (this.#closing) throw new AgentsError('The agent was closed while joining.', { code: 'AGENT_CLOSED' });
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

  /** Stops the model, leaves the call and flushes the transcript (leaving never waits for it). Idempotent. */
  close(reason = 'closed'): Promise<void> {
    this.#closing ??= this.#shutdown(reason);
    return this.#closing;
  }

  #authenticate(): Promise<void> {
    const { edge, agentUser, llm } = this.#options;
    this.#authenticated ??= edge.authenticate({
      ...agentUser,
      custom: { ...agentUser.custom, provider: llm.provider, model: llm.model },
    });
    return this.#authenticated;
  }

  async #startComponents(call: EdgeCall, spans: AgentSpans): Promise<Joined> {
    const { edge, llm, instructions } = this.#options;
    const abort = new AbortController();
    const starting = {
      call: spans.component('call', edge.join(call, { signal: abort.signal }).then(async (connection) => {
        try {
          return { connection, output: await connection.publishAudio() };
        } catch (error) {
          await connection.close().catch(() => {});
          throw error;
        }
      })),
      model: spans.component('model', llm.connect({ instructions, tools: this.#tools, signal: abort.signal })),
      conversation: spans.component('conversation', this.#options.conversation ? Promise.resolve(this.#options.conversation) : edge.createConversation(call)),
    };
    const [media, session, conversation] = await Promise.allSettled([starting.call, starting.model, starting.conversation]);
    const failed = (
      [
        ['call', media],
        ['model', session],
        ['conversation', conversation],
      ] as const
    ).find(([, result]) => result.status === 'rejected');
    if (failed) {
      abort.abort();
      await Promise.allSettled([
        media.status === 'fulfilled' ? media.value.connection.close() : undefined,
        session.status === 'fulfilled' ? session.value.close() : undefined,
        conversation.status === 'fulfilled' && !this.#options.conversation ? conversation.value.close() : undefined,
      ]);
      const error = toError((failed[1] as PromiseRejectedResult).reason);
      this.#logger.error({ failed: failed[0], err: error.message }, 'agent failed to join');
      throw new AgentJoinError(failed[0], error);
    }
    const ready = (result: PromiseSettledResult<unknown>) => (result as PromiseFulfilledResult<never>).value;
    const { connection, output } = ready(media) as { connection: Connection; output: AudioOutput };
    const realtime = ready(session) as RealtimeSession;
    const transcript = ready(conversation) as Conversation;
    const input = new AudioInput(realtime, this.#speakers);
    const recorder = new TurnRecorder({
      session: realtime,
      output,
      conversation: transcript,
      speakers: this.#speakers,
      agentUserId: this.#options.agentUser.id,
      events: this.events,
    });
    return {
      call,
      connection,
      output,
      session: realtime,
      conversation: transcript,
      ownsConversation: !this.#options.conversation,
      input,
      recorder,
      unsubscribe: [],
    };
  }

  #wire(joined: Joined): void {
    const { connection, session, input, conversation } = joined;
    const humanCount = () => connection.participants.length;
    joined.unsubscribe.push(
      connection.events.on('audio', ({ participant, frame }) => input.push(participant, frame.samples)),
      connection.events.on('participant.joined', ({ participant }) =>
        this.events.emit('participant.joined', { participant, humanCount: humanCount() }),
      ),
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
        await joined.conversation.flush();
      }
    } catch (error) {
      this.#reportError(toError(error));
    }
  }

  async #shutdown(reason: string): Promise<void> {
    try {
      const joined = this.#joined ?? (await this.#joining?.catch(() => undefined));
      if (!joined) return;
      for (const unsubscribe of joined.unsubscribe.splice(0)) unsubscribe();
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
      this.#logger.info({ call: joined.call.cid, reason }, 'agent left the call');
      this.events.emit('agent.left', { call: joined.call, reason });
      await transcriptWritten;
    } finally {
      this.#spans?.end(reason, this.stats());
      this.#finished();
    }
  }
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
