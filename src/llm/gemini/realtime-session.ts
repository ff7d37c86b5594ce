/**
 * A Gemini Live conversation that outlives its WebSockets.
 *
 * One `GeminiRealtimeSession` is what the Agent holds; underneath, `LiveConnection`s come and
 * go. The session keeps the latest resumption handle and replaces a lost connection with a
 * resumed one, so consumers see `reconnecting`/`reconnected` and nothing else:
 * - close codes 1011–1014, 1001, 1006 (network) or a server-side normal close: reconnect with
 *   exponential backoff and jitter, resuming with the handle. After `maxAttempts` consecutive
 *   failures: `error` (ProviderError, not retryable), then `closed`. A connection that dies
 *   within `STABLE_CONNECTION_MS` of its setup does not reset the failure count, so a server
 *   that accepts and then drops every session cannot make us loop forever.
 * - a resumed setup the server refuses (an expired handle): the next attempt starts a fresh
 *   session (`reconnected { resumed: false }`): the call goes on without the old context.
 * - `goAway`: a replacement is opened while the old socket still serves ("make before break"),
 *   as soon as the handle is current (issued after the last turn, see `ResumptionHandle`), or
 *   at the deadline the server gave, with the best handle there is.
 * Audio sent while no connection is up is dropped, not buffered: replayed seconds late, the
 * user's words would be answered out of turn. Text (`sendText`, `say`) is queued and sent once
 * a connection is back.
 */
import type { Content, GoogleGenAI, LiveConnectConfig, LiveServerContent, LiveServerMessage, UsageMetadata } from '@google/genai';
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelayMs } from '../../core/backoff.js';
import { AgentsError, ProviderError, ValidationError, toError } from '../../core/errors.js';
import { EventBus } from '../../core/event-bus.js';
import { createLogger, type Logger } from '../../core/logger.js';
import type { ContextTurn, RealtimeEvents, RealtimeSendTextOptions, RealtimeSession } from '../realtime.js';
import type { ToolDeclaration, ToolResult } from '../tool.js';
import type { ToolRegistry } from '../tool-registry.js';
import {
  InputAudioBatcher,
  LIVE_INPUT_MIME_TYPE,
  LIVE_INPUT_SAMPLE_RATE,
  LIVE_OUTPUT_SAMPLE_RATE,
  decodePcm16,
  sampleRateOf,
} from './live-audio.js';
import { buildLiveConfig, type LiveSetupOptions } from './live-config.js';
import { LiveConnection, closeError, type LiveCloseInfo } from './live-connection.js';
import { parseDurationMs } from './live-timing.js';
import { LiveSpans, type ReconnectSpan } from './live-spans.js';
import { LiveToolRunner, type LiveFunctionResponse } from './live-tools.js';
import { LiveTurnControl, type LocalTurnDetection } from './live-turn-control.js';
import { LiveTurnTracker } from './live-turns.js';
import type { AddressingSettings } from '../../turns/addressing.js';
import { heardText } from '../../turns/heard-text.js';
import { ResumptionHandle, growsContext } from './resumption-handle.js';

/** A connection that lived this long after its setup was healthy: its loss starts a fresh count. */
const STABLE_CONNECTION_MS = 5_000;
/** How long before the goAway deadline the replacement is opened at the latest. */
const GO_AWAY_MARGIN_MS = 1_000;
/** Text messages kept while reconnecting; older ones are dropped beyond this. */
const MAX_QUEUED_TEXTS = 32;
/** Bound on waiting for sockets to finish closing in `close()`. */
const CLOSE_WAIT_MS = 2_000;
/** While an answer is held (its end unknown), how often it is looked at again. */
const PLAYBACK_RECHECK_MS = 100;

export interface ReconnectPolicy {
  /** Consecutive failed attempts before giving up (also bounds the first connection). */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface GeminiRealtimeSessionOptions {
  ai: GoogleGenAI;
  model: string;
  /** The setup of every connection, without the resumption handle (the session adds it). */
  setup: Omit<LiveSetupOptions, 'resumptionHandle' | 'tools' | 'manualActivity'>;
  /** The agent's own turn detection instead of the service's (see live-turn-control.ts). */
  turnDetection?: LocalTurnDetection;
  /** Answer only turns meant for the agent (our check, under `turnDetection`; proactive audio otherwise). */
  addressing?: AddressingSettings;
  tools?: ToolRegistry;
  toolTimeoutMs?: number;
  /** Accept `sendVideoFrame`; off by default. */
  video: boolean;
  /** At most one video frame per this interval; 1 000 (1 fps) by default. */
  videoIntervalMs: number;
  /** Input audio per WebSocket message. */
  inputChunkMs: number;
  connectTimeoutMs: number;
  reconnect: ReconnectPolicy;
  signal?: AbortSignal;
}

export class GeminiRealtimeSession extends EventBus<RealtimeEvents> implements RealtimeSession {
  readonly provider = 'gemini';
  readonly model: string;
  readonly inputSampleRate = LIVE_INPUT_SAMPLE_RATE;
  readonly outputSampleRate = LIVE_OUTPUT_SAMPLE_RATE;

  readonly #options: GeminiRealtimeSessionOptions;
  readonly #toolDeclarations: ToolDeclaration[];
  readonly #log: Logger;
  readonly #turns: LiveTurnTracker;
  readonly #tools: LiveToolRunner;
  readonly #batcher: InputAudioBatcher;
  /** Taken when the session opens: the parent of its connections' spans and its tools'. */
  readonly #spans: LiveSpans;
  /** Aborted by `close()`: cancels backoff sleeps and connection attempts. */
  readonly #lifetime = new AbortController();
  /** Sockets of abandoned attempts that may still be closing; `close()` waits for them. */
  readonly #lingering = new Set<Promise<void>>();
  readonly #queuedTexts: { text: string; turnComplete: boolean }[] = [];
  /** Earlier turns given while no connection was up: sent first when one is. */
  #queuedContext: Content[] = [];
  readonly #sendAudioChunk = (base64: string): void => this.#active?.sendAudio(base64, LIVE_INPUT_MIME_TYPE);
  readonly #onAbort = (): void => void this.close();

  #active: LiveConnection | undefined;
  readonly #handle = new ResumptionHandle();
  #failures = 0;
  #reconnecting = false;
  #handoverPending = false;
  #handingOver = false;
  #goAwayTimer: NodeJS.Timeout | undefined;
  #lastVideoAtMs = Number.NEGATIVE_INFINITY;
  #droppedAudioSamples = 0;
  /** Under the agent's own turn detection: the control, and the state of the answer it governs. */
  readonly #control: LiveTurnControl | undefined;
  /** The service finished generating the current answer (its audio may still be playing). */
  #generationDone = false;
  /** Cut locally while the service was still generating: its output until the turn's end is dropped. */
  #dropCutOutput = false;
  /** The service's turnComplete, held until the answer's audio has played. */
  #completionTimer: NodeJS.Timeout | undefined;
  /** Audio of the current answer, in ms. */
  #answerAudioMs = 0;
  #closing = false;
  #closePromise: Promise<void> | undefined;

  private constructor(options: GeminiRealtimeSessionOptions) {
    super();
    this.#options = options;
    this.model = options.model;
    this.#toolDeclarations = options.tools?.declarations() ?? [];
    this.#log = createLogger('llm.gemini.realtime', { model: options.model });
    const emit = this.emit.bind(this) as typeof this.emit;
    this.#turns = new LiveTurnTracker(emit);
    this.#tools = new LiveToolRunner({ registry: options.tools, timeoutMs: options.toolTimeoutMs, emit, log: this.#log });
    this.#batcher = new InputAudioBatcher(options.inputChunkMs);
    this.#spans = new LiveSpans(options.model);
    this.#control = options.turnDetection && this.#createTurnControl(options.turnDetection, options.addressing);
  }

  #createTurnControl(detection: LocalTurnDetection, addressing: AddressingSettings | undefined): LiveTurnControl {
    return new LiveTurnControl(
      { ...detection, addressing },
      {
        sendAudio: (samples) => this.#forwardAudio(samples),
        activityStart: () => this.#active?.sendActivity('activityStart'),
        activityEnd: () => {
          this.#batcher.flush(this.#sendAudioChunk);
          this.#active?.sendActivity('activityEnd');
        },
        pause: () => this.#emitPlayback('playback.pause'),
        resume: () => this.#emitPlayback('playback.resume'),
        cut: (unplayedMs) => this.#cutAnswer(unplayedMs),
        userTurnEnded: (addressed) => (addressed ? this.#turns.userStopped() : this.#turns.userTurnDone()),
        responding: () => this.#turns.responding && !this.#generationDone,
        error: (error) => this.emit('error', { error }),
      },
    );
  }

  /** Opens the first connection (retrying transient failures); throws ProviderError or the abort reason. */
  static async open(options: GeminiRealtimeSessionOptions): Promise<GeminiRealtimeSession> {
    const session = new GeminiRealtimeSession(options);
    const { signal } = options;
    if (signal?.aborted) throw signal.reason;
    signal?.addEventListener('abort', session.#onAbort, { once: true });
    try {
      await session.#connectFirst();
    } catch (error) {
      session.#closePromise ??= session.#shutdown('the first connection failed', undefined, false);
      await session.#closePromise;
      throw signal?.aborted ? signal.reason : error;
    }
    return session;
  }

  get closed(): boolean {
    return this.#closing;
  }

  sendAudio(samples: Int16Array, sampleRate: number): void {
    if (sampleRate !== LIVE_INPUT_SAMPLE_RATE) {
      throw new ValidationError(
        'sampleRate',
        `Gemini Live takes ${LIVE_INPUT_SAMPLE_RATE} Hz input, got ${sampleRate} Hz: resample before sendAudio`,
      );
    }
    if (!(samples instanceof Int16Array)) throw new ValidationError('samples', 'must be an Int16Array of 16-bit PCM');
    if (this.#closing) return;
    if (this.#control) this.#control.push(samples);
    else this.#forwardAudio(samples);
  }

  #forwardAudio(samples: Int16Array): void {
    if (!this.#active || this.#closing) {
      this.#droppedAudioSamples += samples.length;
      return;
    }
    this.#batcher.push(samples, this.#sendAudioChunk);
  }

  audioStreamEnded(): void {
    if (this.#control) return this.#control.audioStreamEnded();
    const connection = this.#active;
    if (!connection || this.#closing) return;
    // The batcher holds the last words said: they go first, or the service's flush misses them.
    this.#batcher.flush(this.#sendAudioChunk);
    connection.sendAudioStreamEnd();
  }

  sendText(text: string, options: RealtimeSendTextOptions = {}): void {
    if (typeof text !== 'string' || text.trim() === '') throw new ValidationError('text', 'must be a non-empty string');
    this.#assertOpen();
    const turnComplete = options.turnComplete ?? true;
    if (this.#active) {
      this.#sendUserText(this.#active, text, turnComplete);
      return;
    }
    if (this.#queuedTexts.length >= MAX_QUEUED_TEXTS) {
      this.#log.warn('too many text messages queued while reconnecting; dropping the oldest');
      this.#queuedTexts.shift();
    }
    this.#queuedTexts.push({ text, turnComplete });
  }

  addContext(turns: readonly ContextTurn[]): void {
    if (!Array.isArray(turns)) throw new ValidationError('turns', 'must be a list of { role, text }');
    this.#assertOpen();
    const contents = liveContents(turns);
    if (contents.length === 0) return;
    if (this.#active) this.#sendContext(this.#active, contents);
    else this.#queuedContext.push(...contents);
  }

  say(text: string): void {
    if (typeof text !== 'string' || text.trim() === '') throw new ValidationError('text', 'must be a non-empty string');
    // Native-audio models have no verbatim TTS mode: the instruction is the documented way.
    this.sendText(`Say exactly the following, word for word, and nothing else:\n${text}`);
  }

  sendVideoFrame(jpeg: Uint8Array): void {
    if (!this.#options.video) {
      throw new ValidationError('video', 'video input is off: create GeminiRealtime with { video: true } (AGENT_VIDEO=true)');
    }
    if (!(jpeg instanceof Uint8Array) || jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) {
      throw new ValidationError('jpeg', 'not a JPEG image (it must start with the FF D8 marker)');
    }
    const nowMs = performance.now();
    if (!this.#active || this.#closing || nowMs - this.#lastVideoAtMs < this.#options.videoIntervalMs) return;
    this.#lastVideoAtMs = nowMs;
    this.#active.sendVideo(Buffer.from(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength).toString('base64'));
  }

  sendToolResult(callId: string, result: ToolResult): void {
    if (!this.#tools.submit(callId, result)) {
      this.#log.warn({ callId }, 'sendToolResult for a call that is not waiting (answered, cancelled or unknown)');
    }
  }

  close(): Promise<void> {
    return (this.#closePromise ??= this.#shutdown('closed by the client'));
  }

  // ---- connections -------------------------------------------------------------------------

  async #connectFirst(): Promise<void> {
    const { maxAttempts, baseDelayMs, maxDelayMs } = this.#options.reconnect;
    for (let attempt = 1; ; attempt++) {
      try {
        this.#activate(await this.#openConnection(undefined, attempt));
        return;
      } catch (error) {
        if (this.#lifetime.signal.aborted || !isRetryable(error) || attempt >= maxAttempts) throw error;
        this.#log.warn({ attempt, err: toError(error).message }, 'Gemini Live connection failed; retrying');
        await sleep(backoffDelayMs(attempt - 1, { initialDelayMs: baseDelayMs, maxDelayMs }), undefined, { signal: this.#lifetime.signal });
      }
    }
  }

  #openConnection(handle: string | undefined, attempt: number, within?: ReconnectSpan): Promise<LiveConnection> {
    const config = buildLiveConfig({
      ...this.#options.setup,
      manualActivity: this.#control !== undefined,
      tools: this.#toolDeclarations,
      resumptionHandle: handle,
    });
    return this.#spans.connect(attempt, handle !== undefined, within, () => this.#openSocket(config));
  }

  #openSocket(config: LiveConnectConfig): Promise<LiveConnection> {
    return LiveConnection.open(this.#options.ai, {
      model: this.#options.model,
      config,
      timeoutMs: this.#options.connectTimeoutMs,
      signal: this.#lifetime.signal,
      onAbandoned: (socketClosed) => {
        this.#lingering.add(socketClosed);
        void socketClosed.then(() => this.#lingering.delete(socketClosed));
      },
    });
  }

  #activate(connection: LiveConnection): void {
    this.#active = connection;
    this.#batcher.reset();
    if (this.#droppedAudioSamples > 0) {
      this.#log.info({ droppedAudioMs: (this.#droppedAudioSamples * 1000) / LIVE_INPUT_SAMPLE_RATE }, 'audio sent while disconnected was dropped');
      this.#droppedAudioSamples = 0;
    }
    connection.start({
      onMessage: (message) => this.#onMessage(connection, message),
      onClose: (info) => this.#onConnectionClosed(connection, info),
    });
    if (this.#active !== connection) return;
    if (this.#queuedContext.length > 0) this.#sendContext(connection, this.#queuedContext.splice(0));
    for (const { text, turnComplete } of this.#queuedTexts.splice(0)) this.#sendUserText(connection, text, turnComplete);
  }

  #sendUserText(connection: LiveConnection, text: string, turnComplete: boolean): void {
    // A completed turn enters the context; the handle that includes it comes after the answer.
    if (turnComplete) this.#handle.contextGrew();
    connection.sendUserText(text, turnComplete);
  }

  #sendContext(connection: LiveConnection, contents: Content[]): void {
    // Like a completed turn, it is in the context; the handle that includes it comes later.
    this.#handle.contextGrew();
    connection.sendContext(contents);
  }

  #onConnectionClosed(connection: LiveConnection, info: LiveCloseInfo): void {
    if (connection !== this.#active) return;
    this.#active = undefined;
    this.#cancelHandover();
    this.#connectionLost();
    if (this.#closing) return;
    const error = closeError(info, 'mid-session');
    if (!error.retryable) {
      void this.#fail(error);
      return;
    }
    if (performance.now() - connection.setupAtMs >= STABLE_CONNECTION_MS) this.#failures = 0;
    this.#log.warn({ code: info.code, reason: info.reason }, 'Gemini Live connection lost; reconnecting');
    void this.#reconnect(`connection closed (code ${info.code}${info.reason ? `: ${info.reason}` : ''})`, error);
  }

  async #reconnect(reason: string, cause: Error): Promise<void> {
    if (this.#reconnecting) return;
    this.#reconnecting = true;
    const span = this.#spans.reconnecting(reason);
    const { maxAttempts, baseDelayMs, maxDelayMs } = this.#options.reconnect;
    let lastError = cause;
    let attempts = 0;
    try {
      while (!this.#closing) {
        this.#failures += 1;
        if (this.#failures > maxAttempts) {
          const error = new ProviderError(
            `Gemini Live could not reconnect after ${maxAttempts} attempts (last: ${lastError.message}). ` +
              'The session is closed; check the network and the service status, then start a new one.',
            { provider: 'gemini', retryable: false, cause: lastError, code: 'LIVE_RECONNECT_FAILED' },
          );
          span.failed(attempts, error);
          void this.#fail(error);
          return;
        }
        const delayMs = backoffDelayMs(this.#failures - 1, { initialDelayMs: baseDelayMs, maxDelayMs });
        this.emit('reconnecting', { attempt: this.#failures, reason, delayMs });
        try {
          await sleep(delayMs, undefined, { signal: this.#lifetime.signal });
        } catch {
          return; // closed while waiting
        }
        const handle = this.#handle.value;
        try {
          attempts += 1;
          const connection = await this.#openConnection(handle, attempts, span);
          if (this.#closing) {
            await connection.close();
            return;
          }
          this.#activate(connection);
          span.reconnected(attempts, handle !== undefined);
          this.emit('reconnected', { resumed: handle !== undefined });
          return;
        } catch (thrown) {
          if (this.#closing) return;
          lastError = toError(thrown);
          if (!isRetryable(thrown)) {
            if (handle === undefined) {
              span.failed(attempts, lastError);
              void this.#fail(lastError);
              return;
            }
            // The server refused to resume (an expired or unknown handle): start afresh.
            this.#log.warn({ err: lastError.message }, 'Gemini Live refused to resume; the next attempt starts a new session');
            this.#handle.forget();
            reason = `resumption refused (${lastError.message})`;
          } else {
            reason = lastError.message;
          }
        }
      }
    } finally {
      this.#reconnecting = false;
      span.end();
    }
  }

  // ---- goAway: replace the connection before the server drops it -----------------------------

  #onGoAway(timeLeft: string | undefined): void {
    if (this.#handoverPending || this.#handingOver) return;
    const timeLeftMs = parseDurationMs(timeLeft) ?? 0;
    this.#log.info({ timeLeftMs }, 'Gemini Live sent goAway; replacing the connection early');
    this.#handoverPending = true;
    this.#goAwayTimer = setTimeout(() => {
      this.#goAwayTimer = undefined;
      void this.#handover('goAway deadline');
    }, Math.max(0, timeLeftMs - GO_AWAY_MARGIN_MS));
    this.#maybeHandover();
  }

  /** Hands over now if the model is idle and the handle holds the whole conversation so far. */
  #maybeHandover(): void {
    if (this.#handoverPending && this.#handle.current && this.#modelIdle()) void this.#handover('server goAway');
  }

  #modelIdle(): boolean {
    return !this.#turns.responding && this.#tools.pending === 0;
  }

  async #handover(reason: string): Promise<void> {
    const old = this.#active;
    if (!this.#handoverPending || this.#handingOver || this.#closing || !old) return;
    this.#handingOver = true;
    clearTimeout(this.#goAwayTimer);
    this.#goAwayTimer = undefined;
    const handle = this.#handle.value;
    if (!this.#handle.current) {
      this.#log.warn(
        handle === undefined
          ? 'no resumption handle by the goAway deadline: the new connection starts a fresh session'
          : 'no handle issued after the latest turn by the goAway deadline: resuming from an older one, which may miss that turn',
      );
    }
    this.emit('reconnecting', { attempt: 1, reason, delayMs: 0 });
    const span = this.#spans.reconnecting(reason);
    try {
      const next = await this.#openConnection(handle, 1, span);
      if (this.#closing || this.#active !== old) {
        // Closed, or the old socket died meanwhile and the failure path took over.
        await next.close();
        return;
      }
      this.#handoverPending = false;
      this.#active = undefined;
      void old.close();
      this.#connectionLost();
      this.#activate(next);
      span.reconnected(1, handle !== undefined);
      this.emit('reconnected', { resumed: handle !== undefined });
    } catch (error) {
      // The old socket still serves; when the server drops it, the failure path reconnects.
      span.failed(1, error);
      this.#handoverPending = false;
      this.#log.warn({ err: toError(error).message }, 'early reconnect after goAway failed');
    } finally {
      this.#handingOver = false;
      span.end();
    }
  }

  #cancelHandover(): void {
    this.#handoverPending = false;
    clearTimeout(this.#goAwayTimer);
    this.#goAwayTimer = undefined;
  }

  // ---- server messages ---------------------------------------------------------------------

  #onMessage(connection: LiveConnection, message: LiveServerMessage): void {
    if (connection !== this.#active) return;
    if (growsContext(message)) this.#handle.contextGrew();
    if (message.serverContent) this.#onServerContent(message.serverContent);
    if (message.toolCall && this.#active === connection) {
      this.#turns.modelActed();
      const toolCall = message.toolCall;
      this.#spans.inSession(() => this.#tools.run(toolCall, (responses) => this.#deliverToolResponses(connection, responses)));
    }
    if (message.toolCallCancellation?.ids) this.#tools.cancel(message.toolCallCancellation.ids);
    if (message.usageMetadata) this.#onUsage(message.usageMetadata);
    // After the content: a handle that comes with a turn's end is issued once the model is idle.
    if (message.sessionResumptionUpdate) this.#handle.updated(message.sessionResumptionUpdate, this.#modelIdle());
    if (message.goAway && this.#active === connection) this.#onGoAway(message.goAway.timeLeft);
    this.#maybeHandover();
  }

  #onServerContent(content: LiveServerContent): void {
    // Barge-in first: the edge must flush playback before anything else happens. An answer the
    // agent's own detection already cut is over: the service confirming it changes nothing.
    if (content.interrupted && !this.#dropCutOutput) this.#onServiceInterrupted();
    if (content.inputTranscription?.text) {
      this.#turns.inputTranscript(content.inputTranscription.text);
      this.#control?.inputTranscript(content.inputTranscription.text);
    }
    if (!this.#dropCutOutput) this.#onModelOutput(content);
    if (content.turnComplete) this.#onTurnComplete();
  }

  #onModelOutput(content: LiveServerContent): void {
    for (const part of content.modelTurn?.parts ?? []) {
      const blob = part.inlineData;
      if (part.thought || !blob?.data || !(blob.mimeType ?? 'audio/pcm').startsWith('audio/')) continue;
      this.#startAnswer();
      const turnId = this.#turns.modelOutput();
      const sampleRate = sampleRateOf(blob.mimeType, LIVE_OUTPUT_SAMPLE_RATE);
      const samples = decodePcm16(blob.data);
      const durationMs = (samples.length * 1000) / sampleRate;
      this.#answerAudioMs += durationMs;
      this.#control?.modelAudio(durationMs);
      if (this.listenerCount('audio') > 0) this.emit('audio', { turnId, samples, sampleRate });
    }
    if (content.outputTranscription?.text) {
      this.#startAnswer();
      this.#turns.outputTranscript(content.outputTranscription.text);
    }
    if (content.generationComplete) {
      this.#generationDone = true;
      this.#turns.modelActed();
    }
  }

  /** A new answer's first output: an answer still waiting for its audio to play out is over. */
  #startAnswer(): void {
    if (this.#turns.responding && this.#completionTimer === undefined) return;
    if (this.#completionTimer !== undefined) this.#completeAnswer();
    this.#generationDone = false;
    this.#answerAudioMs = 0;
  }

  #onServiceInterrupted(): void {
    this.#clearCompletion();
    this.#control?.answerCut();
    this.#turns.interrupted();
  }

  #onTurnComplete(): void {
    if (this.#dropCutOutput) {
      this.#dropCutOutput = false;
      this.#turns.turnComplete(); // the cut turn's own end: swallowed
      return;
    }
    // Under the agent's own detection the answer lasts until its audio has played: until then
    // a person can still cut it, and what they heard is what is kept.
    if (this.#control && this.#turns.responding) this.#completeAfterPlayback();
    else this.#completeAnswer();
  }

  #completeAfterPlayback(): void {
    const waitMs = this.#control!.playingUntilMs - performance.now();
    if (waitMs <= 0) return this.#completeAnswer();
    clearTimeout(this.#completionTimer);
    // Until the estimated end (looked at again then: a hold meanwhile moves it), or while held, a moment.
    this.#completionTimer = setTimeout(() => this.#completeAfterPlayback(), Number.isFinite(waitMs) ? waitMs : PLAYBACK_RECHECK_MS);
  }

  #completeAnswer(): void {
    this.#clearCompletion();
    const answered = this.#turns.responding;
    this.#turns.turnComplete();
    if (answered) this.#control?.answered();
  }

  #clearCompletion(): void {
    clearTimeout(this.#completionTimer);
    this.#completionTimer = undefined;
  }

  /** The agent's own detection heard a real interruption: the answer stops now, kept as heard. */
  #cutAnswer(unplayedMs: number): void {
    const waitingForPlayback = this.#completionTimer !== undefined;
    this.#clearCompletion();
    if (!this.#turns.responding) return;
    // Still generating: the service sends more until it hears our activityStart; that is dropped.
    this.#dropCutOutput = !this.#generationDone;
    const playedMs = this.#answerAudioMs - unplayedMs;
    this.#turns.interrupted((text) => heardText(text, playedMs, this.#answerAudioMs));
    // The service's turnComplete came already: nothing is left to swallow.
    if (waitingForPlayback) this.#turns.turnComplete();
  }

  /** The connection is gone: what was in flight ends here (see LiveTurnTracker.connectionLost). */
  #connectionLost(): void {
    this.#clearCompletion();
    this.#dropCutOutput = false;
    this.#control?.answerCut();
    this.#control?.connectionChanged();
    this.#turns.connectionLost();
  }

  #emitPlayback(event: 'playback.pause' | 'playback.resume'): void {
    const turnId = this.#turns.modelTurnId;
    if (turnId) this.emit(event, { turnId });
  }

  #onUsage(usage: UsageMetadata): void {
    const inputTokens = usage.promptTokenCount ?? 0;
    const outputTokens = usage.responseTokenCount ?? 0;
    this.emit('usage', {
      model: this.model,
      usage: { inputTokens, outputTokens, totalTokens: usage.totalTokenCount ?? inputTokens + outputTokens },
    });
  }

  #deliverToolResponses(connection: LiveConnection, responses: LiveFunctionResponse[]): void {
    if (connection !== this.#active || connection.closed) {
      this.#log.info({ calls: responses.map((response) => response.name) }, 'tool results dropped: their connection is gone');
      return;
    }
    this.#handle.contextGrew();
    connection.sendToolResponses(responses);
    this.#maybeHandover();
  }

  // ---- ending ------------------------------------------------------------------------------

  #assertOpen(): void {
    if (this.#closing) {
      throw new AgentsError('The realtime session is closed; start a new one with GeminiRealtime.connect().', {
        code: 'SESSION_CLOSED',
      });
    }
  }

  async #fail(error: Error): Promise<void> {
    if (this.#closing) return;
    this.#log.error({ err: error.message }, 'Gemini Live session failed');
    this.emit('error', { error });
    this.#closePromise ??= this.#shutdown(error.message, error);
    await this.#closePromise;
  }

  async #shutdown(reason: string, error?: Error, announce = true): Promise<void> {
    this.#closing = true;
    this.#lifetime.abort(new AgentsError('The realtime session was closed.', { code: 'SESSION_CLOSED' }));
    this.#options.signal?.removeEventListener('abort', this.#onAbort);
    this.#cancelHandover();
    this.#tools.close();
    this.#control?.close();
    this.#queuedTexts.length = 0;
    this.#queuedContext = [];
    const connection = this.#active;
    this.#active = undefined;
    if (announce) this.#connectionLost();
    const closing = [connection?.close(CLOSE_WAIT_MS), ...this.#lingering];
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(closing), new Promise<void>((done) => (timer = setTimeout(done, CLOSE_WAIT_MS)))]);
    clearTimeout(timer);
    if (announce) this.emit('closed', error ? { reason, error } : { reason });
  }
}

/** Earlier turns as Live API contents: the agent's as the model's, one content per run of one role. */
function liveContents(turns: readonly ContextTurn[]): Content[] {
  const contents: Content[] = [];
  turns.forEach((turn, index) => {
    if ((turn?.role !== 'user' && turn?.role !== 'assistant') || typeof turn.text !== 'string') {
      throw new ValidationError(`turns[${index}]`, "must be { role: 'user' | 'assistant', text: string }");
    }
    if (turn.text.trim() === '') return;
    const role = turn.role === 'assistant' ? 'model' : 'user';
    const last = contents.at(-1);
    if (last?.role === role) last.parts!.push({ text: turn.text });
    else contents.push({ role, parts: [{ text: turn.text }] });
  });
  return contents;
}

function isRetryable(error: unknown): boolean {
  return error instanceof AgentsError && error.retryable;
}
