/**
 * A pipeline-mode conversation as a RealtimeSession, so the Agent runs it as it runs Gemini
 * Live: the user's audio goes to the voice activity detector and to one streaming STT session;
 * the end-of-turn detector decides when the user is done; then the text LLM answers (tools
 * included) and the TTS speaks it (see agent-response.ts). Speech over the agent's answer holds
 * its playback at once and cuts it when words follow; without words it plays on (barge-in that
 * a cough cannot trigger). The events follow RealtimeSession's turn model, so transcripts, metrics and
 * the Conversation work unchanged.
 *
 * A user turn starts with its first transcript (not with the VAD alone: a cough is not a turn)
 * and streams its final transcripts as `input.transcript`; it ends when the end-of-turn
 * detector says so. Answers are one at a time: a turn that ends while the agent still answers
 * the previous one cuts that answer first.
 */
import { randomUUID } from 'node:crypto';
import { toError, ValidationError } from '../core/errors.js';
import { EventBus } from '../core/event-bus.js';
import { createLogger, type Logger } from '../core/logger.js';
import type { RealtimeEvents, RealtimeSendTextOptions, RealtimeSession } from '../llm/realtime.js';
import type { ToolResult } from '../llm/tool.js';
import type { ToolRegistry } from '../llm/tool-registry.js';
import type { SttEvent, SttStream } from '../stt/stt.js';
import { AgentResponse, type AgentResponseInit, type UserTurnTiming } from './agent-response.js';
import { ChatHistory } from './chat-history.js';
import { EndOfTurnDetector } from './end-of-turn.js';
import { PreemptiveGeneration } from './preemptive-generation.js';
import type { PipelineModelOptions } from './pipeline-model.js';
import type { VoiceActivity, VoiceActivityHandlers } from './voice-activity.js';

/** What a session is given: the model's settings as they are, and what `connect()` adds. */
export type PipelineSessionInit = Omit<PipelineModelOptions, 'vad' | 'inputSampleRate' | 'outputSampleRate'> & {
  /** Opens the session's voice activity detection on its input; none: the STT's events stand in. */
  voiceActivity?: (handlers: VoiceActivityHandlers) => VoiceActivity;
  instructions: string | undefined;
  tools: ToolRegistry | undefined;
  inputSampleRate: number;
  outputSampleRate: number;
  signal?: AbortSignal;
};

/** How long speech over the agent may go without words before playback resumes (LiveKit's default too). */
export const DEFAULT_FALSE_INTERRUPTION_TIMEOUT_MS = 2_000;
/** While the noise goes on past the timeout, how often to look again. */
const RESUME_RECHECK_MS = 200;

interface UserTurn {
  turnId: string;
  text: string;
}

export class PipelineSession extends EventBus<RealtimeEvents> implements RealtimeSession {
  readonly provider = 'pipeline';
  readonly model: string;
  readonly inputSampleRate: number;
  readonly outputSampleRate: number;
  readonly #init: PipelineSessionInit;
  readonly #log: Logger;
  readonly #history = new ChatHistory();
  readonly #endOfTurn: EndOfTurnDetector;
  readonly #stt: SttStream;
  readonly #vad: VoiceActivity | undefined;
  readonly #listening: Promise<void>;
  readonly #onAbort = (): void => void this.close();
  #userTurn: UserTurn | undefined;
  #userSpeaking = false;
  #preemptive: PreemptiveGeneration | undefined;
  /** Audio received so far, in ms: the clock of the VAD's and the STT's times. */
  #inputMs = 0;
  /** performance.now() of the end of the user's speech, and of the turn's last final transcript. */
  #speechEndedAt: number | undefined;
  #lastFinalAt: number | undefined;
  #resumeTimer: NodeJS.Timeout | undefined;
  #response: AgentResponse | undefined;
  #closing: Promise<void> | undefined;

  constructor(init: PipelineSessionInit) {
    super();
    this.#init = init;
    this.model = `${init.stt.provider}+${init.llm.model}+${init.tts.provider}`;
    this.inputSampleRate = init.inputSampleRate;
    this.outputSampleRate = init.outputSampleRate;
    this.#log = createLogger('pipeline', { model: this.model });
    this.#endOfTurn = new EndOfTurnDetector({
      minDelayMs: init.minEndpointingDelayMs,
      maxDelayMs: init.maxEndpointingDelayMs,
      onTurnEnd: () => this.#endUserTurn(),
    });
    this.#vad = init.voiceActivity?.({
      onSpeechStarted: () => this.#onSpeechStarted(),
      onSpeechEnded: (atMs) => this.#onSpeechEnded(atMs),
      onError: (error) => this.emit('error', { error }),
    });
    this.#stt = init.stt.stream({ sampleRate: init.inputSampleRate, language: init.language });
    this.#listening = this.#listen();
    init.signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  sendAudio(samples: Int16Array, sampleRate: number): void {
    if (this.#closing) return;
    if (sampleRate !== this.inputSampleRate) {
      throw new ValidationError('sampleRate', `must be ${this.inputSampleRate} (the session's input rate), got ${sampleRate}`);
    }
    this.#stt.pushAudio(samples);
    this.#vad?.push(samples);
    this.#inputMs += (samples.length * 1000) / sampleRate;
  }

  /**
   * The audio stopped mid-speech (see RealtimeSession): the STT settles what it heard, and
   * the speech ends where the audio did, which the VAD cannot tell (it waits for silence), so
   * the end-of-turn detector ends the turn once the final transcript is in.
   */
  audioStreamEnded(): void {
    if (this.#closing) return;
    this.#stt.flush();
    if (this.#userSpeaking) this.#onSpeechEnded(this.#inputMs);
  }

  sendText(text: string, options: RealtimeSendTextOptions = {}): void {
    if (this.#closing) return;
    this.#history.addUser(text);
    if (options.turnComplete ?? true) this.#respond();
  }

  say(text: string): void {
    if (this.#closing) return;
    this.#respond(text);
  }

  /** A text model in this mode: frames are not sent (the session does not take video). */
  sendVideoFrame(): void {}

  sendToolResult(callId: string, result: ToolResult): void {
    // The tool loop runs registry tools itself; a caller-run tool's answer joins the history,
    // beside the model's call, and the model answers again with it.
    if (this.#closing) return;
    const call = this.#history.findToolCall(callId);
    if (!call) throw new ValidationError('callId', `no tool call ${JSON.stringify(callId)} is waiting for a result`);
    this.#history.addAssistant('', [{ role: 'user', content: [{ type: 'tool_result', call, result }] }]);
    this.#respond();
  }

  close(reason = 'closed'): Promise<void> {
    this.#closing ??= (async () => {
      this.#init.signal?.removeEventListener('abort', this.#onAbort);
      this.#endOfTurn.close();
      clearTimeout(this.#resumeTimer);
      this.#vad?.close();
      this.#response?.interrupt();
      this.#discardPreemptive();
      await Promise.allSettled([this.#stt.close(), this.#response?.done]);
      await this.#listening.catch(() => undefined);
      this.emit('closed', { reason });
    })();
    return this.#closing;
  }

  async #listen(): Promise<void> {
    try {
      for await (const event of this.#stt) this.#onStt(event);
    } catch (error) {
      if (!this.#closing) this.emit('error', { error: toError(error) });
    }
  }

  #onStt(event: SttEvent): void {
    if (this.#closing) return;
    switch (event.type) {
      case 'speech.started':
        if (!this.#vad) this.#onSpeechStarted();
        return;
      case 'transcript.interim':
        if (event.text.trim() === '') return;
        this.#startUserTurn();
        this.#onWords();
        return;
      case 'transcript.final': {
        const text = event.text.trim();
        if (text === '') return;
        const turn = this.#startUserTurn();
        this.#onWords();
        this.#lastFinalAt = performance.now();
        turn.text = `${turn.text} ${text}`.trim();
        this.emit('input.transcript', { turnId: turn.turnId, delta: text, text: turn.text });
        this.#endOfTurn.finalText(text);
        this.#preempt(turn.text);
        return;
      }
      case 'utterance.ended':
        if (!this.#vad) {
          this.#userSpeaking = false;
          this.#speechEndedAt = this.#wallTimeOf(event.atMs);
        }
        this.#endOfTurn.utteranceEnded(this.#vad !== undefined);
        return;
      case 'error':
        this.#log.warn({ err: event.error.message, retryable: event.error.retryable }, 'speech-to-text failed');
        this.emit('error', { error: event.error });
        if (event.error.retryable === false) void this.close('speech-to-text failed');
    }
  }

  /**
   * Speech began (the VAD's, or the STT's without one) while the agent may be answering: its
   * playback is held at once, and it is cut only when words follow (`#onWords`); a cough or a
   * chair gets none, and playback resumes where it stopped after `falseInterruptionTimeoutMs`
   * of no words, once the user is quiet again.
   */
  #onSpeechStarted(): void {
    this.#userSpeaking = true;
    this.#discardPreemptive(); // the user goes on: the words it answered are not the turn's
    this.#endOfTurn.speechStarted();
    const response = this.#response;
    if (!response || response.interrupted || response.paused) return;
    response.pause();
    this.#armResume(response, this.#init.falseInterruptionTimeoutMs ?? DEFAULT_FALSE_INTERRUPTION_TIMEOUT_MS);
  }

  #onSpeechEnded(atMs: number): void {
    this.#userSpeaking = false;
    this.#speechEndedAt = this.#wallTimeOf(atMs);
    this.#endOfTurn.speechEnded();
    // Words settled while the user was still heard: the early answer starts now.
    if (this.#userTurn && this.#userTurn.text !== '') this.#preempt(this.#userTurn.text);
  }

  /** performance.now() of a moment `atMs` into the input audio (which arrives in real time). */
  #wallTimeOf(atMs: number): number {
    return performance.now() - Math.max(0, this.#inputMs - atMs);
  }

  /** The user said words: an answer still playing (or held) is cut. */
  #onWords(): void {
    clearTimeout(this.#resumeTimer);
    if (this.#response && !this.#response.interrupted) this.#response.interrupt();
  }

  #armResume(response: AgentResponse, afterMs: number): void {
    clearTimeout(this.#resumeTimer);
    this.#resumeTimer = setTimeout(() => {
      if (this.#response !== response || !response.paused) return;
      // Still making noise: wait until it stops before playing on.
      if (this.#userSpeaking) return this.#armResume(response, RESUME_RECHECK_MS);
      response.resume();
    }, afterMs);
  }

  #startUserTurn(): UserTurn {
    if (!this.#userTurn) {
      this.#userTurn = { turnId: randomUUID(), text: '' };
      if (!this.#vad) this.#onSpeechStarted();
      this.emit('user.speech.started', { turnId: this.#userTurn.turnId });
    }
    return this.#userTurn;
  }

  #endUserTurn(): void {
    const turn = this.#userTurn;
    this.#userTurn = undefined;
    this.#userSpeaking = false;
    if (!turn || this.#closing) return;
    this.emit('user.speech.ended', { turnId: turn.turnId });
    this.emit('input.transcript.done', { turnId: turn.turnId, text: turn.text });
    const preempted = this.#preemptive?.userText === turn.text && this.#preemptive.usable ? this.#preemptive : undefined;
    if (!preempted) this.#discardPreemptive();
    this.#preemptive = undefined;
    this.#history.addUser(turn.text);
    this.#respond(undefined, { speechEndedAt: this.#speechEndedAt, lastFinalAt: this.#lastFinalAt, endedAt: performance.now() }, preempted);
    this.#speechEndedAt = undefined;
    this.#lastFinalAt = undefined;
  }

  /** Answers now (after cutting an answer still running); `fixedText` speaks it as it is. */
  /**
   * Starts the LLM on the turn's words so far, while the end of turn is confirmed (see
   * preemptive-generation.ts); words added since replace the attempt with a new one.
   */
  #preempt(userText: string): void {
    // With a VAD, not while the user is still heard speaking; without one, the STT's final is the sign.
    if (this.#init.preemptiveGeneration === false || (this.#vad && this.#userSpeaking)) return;
    if (this.#preemptive?.userText === userText && this.#preemptive.usable) return;
    this.#discardPreemptive();
    const { llm, instructions, tools } = this.#init;
    this.#preemptive = new PreemptiveGeneration({ llm, instructions, tools, history: this.#history.messages, userText });
  }

  #discardPreemptive(): void {
    this.#preemptive?.discard();
    this.#preemptive = undefined;
  }

  #respond(fixedText?: string, userTurn?: UserTurnTiming, preempted?: PreemptiveGeneration): void {
    this.#response?.interrupt();
    const { llm, tts, instructions, tools, outputSampleRate, voice, language } = this.#init;
    const response = new AgentResponse({
      llm,
      tts,
      instructions,
      tools,
      messages: this.#history.messages,
      fixedText,
      userTurn,
      preempted,
      outputSampleRate,
      voice,
      language,
      emit: this.emit.bind(this) as AgentResponseInit['emit'],
    });
    this.#response = response;
    void response.done.then((result) => {
      if (this.#response === response) this.#response = undefined;
      this.#history.addAssistant(result.text, result.toolMessages);
    });
  }
}
