/**
 * A pipeline-mode conversation as a RealtimeSession, so the Agent runs it as it runs Gemini
 * Live: the user's audio goes to the voice activity detector and to one streaming STT session;
 * the end-of-turn detector decides when the user is done; then the text LLM answers (tools
 * included) and the TTS speaks it (see agent-response.ts). The events follow RealtimeSession's
 * turn model, so transcripts, metrics and the Conversation work unchanged. Speech over the
 * agent follows the shared barge-in policy (turns/barge-in.ts): held at once, cut by words that
 * are not a backchannel, played on after a backchannel or a noise; a turn of backchannel words
 * said over the agent is transcribed but not answered. With `addressing`, a turn not meant for
 * the agent (turns/addressing.ts) is transcribed and kept as context, not answered.
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
import type { ContextTurn, RealtimeEvents, RealtimeSendTextOptions, RealtimeSession } from '../llm/realtime.js';
import type { ToolResult } from '../llm/tool.js';
import type { ToolRegistry } from '../llm/tool-registry.js';
import type { SttEvent, SttStream } from '../stt/stt.js';
import { AgentResponse, type AgentResponseInit, type UserTurnTiming } from './agent-response.js';
import { ChatHistory } from './chat-history.js';
import { AddressingPolicy, type AddressingSettings } from '../turns/addressing.js';
import { BargeInPolicy } from '../turns/barge-in.js';
import { EndOfTurnDetector } from '../turns/end-of-turn.js';
import { PreemptiveGeneration } from './preemptive-generation.js';
import type { PipelineModelOptions } from './pipeline-model.js';
import type { VoiceActivity, VoiceActivityHandlers } from './voice-activity.js';

/** What a session is given: the model's settings as they are, and what `connect()` adds. */
export type PipelineSessionInit = Omit<PipelineModelOptions, 'vad' | 'inputSampleRate' | 'outputSampleRate'> & {
  /** Opens the session's voice activity detection on its input; none: the STT's events stand in. */
  voiceActivity?: (handlers: VoiceActivityHandlers) => VoiceActivity;
  instructions: string | undefined;
  tools: ToolRegistry | undefined;
  addressing?: AddressingSettings;
  inputSampleRate: number;
  outputSampleRate: number;
  signal?: AbortSignal;
};

interface UserTurn {
  turnId: string;
  text: string;
  /** Said while the agent was speaking: backchannel words only are then not answered. */
  overAgent: boolean;
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
  readonly #bargeIn: BargeInPolicy;
  readonly #addressing: AddressingPolicy | undefined;
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
  /** performance.now() of the end of the agent's last answer, and the user turns since. */
  #answeredAt: number | undefined;
  #turnsSinceAnswer = 0;
  /** The user turn the agent last answered (addressing's follow-up rule). */
  #answeredText: string | undefined;
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
    this.#bargeIn = new BargeInPolicy({ transcripts: true, wordsTimeoutMs: init.falseInterruptionTimeoutMs, backchannels: init.backchannels });
    this.#addressing = init.addressing && new AddressingPolicy(init.addressing);
    this.#vad = init.voiceActivity?.({
      onSpeechStarted: (atMs) => this.#onSpeechStarted(atMs),
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
    // Voice over the agent holds it now; the VAD's start of speech comes about 100 ms later.
    if (this.#vad?.voiced) this.#bargeIn.voiceHeard(this.#inputMs, this.#speakingResponse());
    this.#bargeIn.audio(this.#inputMs, this.#vad?.voiced);
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

  addContext(turns: readonly ContextTurn[]): void {
    if (this.#closing) return;
    this.#history.addEarlier(turns);
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
      this.#bargeIn.close();
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
        if (!this.#vad) this.#onSpeechStarted(this.#inputMs);
        return;
      case 'transcript.interim':
        if (event.text.trim() === '') return;
        this.#startUserTurn();
        this.#onWords(event.text, true);
        return;
      case 'transcript.final': {
        const text = event.text.trim();
        if (text === '') return;
        const turn = this.#startUserTurn();
        this.#onWords(text);
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
          this.#bargeIn.speechEnded(event.atMs);
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
   * Speech began (the VAD's, or the STT's without one) while the agent may be answering: the
   * barge-in policy holds its playback at once and decides on the words that follow.
   */
  #onSpeechStarted(atMs: number): void {
    this.#userSpeaking = true;
    this.#discardPreemptive(); // the user goes on: the words it answered are not the turn's
    this.#endOfTurn.speechStarted();
    this.#bargeIn.speechStarted(atMs, this.#speakingResponse());
  }

  /** The answer the agent is speaking now (not cut), if any. */
  #speakingResponse(): AgentResponse | undefined {
    const response = this.#response;
    return response && !response.interrupted ? response : undefined;
  }

  #onSpeechEnded(atMs: number): void {
    this.#userSpeaking = false;
    this.#bargeIn.speechEnded(atMs);
    this.#speechEndedAt = this.#wallTimeOf(atMs);
    this.#endOfTurn.speechEnded();
    // Words settled while the user was still heard: the early answer starts now.
    if (this.#userTurn && this.#userTurn.text !== '') this.#preempt(this.#userTurn.text);
  }

  /** performance.now() of a moment `atMs` into the input audio (which arrives in real time). */
  #wallTimeOf(atMs: number): number {
    return performance.now() - Math.max(0, this.#inputMs - atMs);
  }

  /**
   * The user said words: the barge-in policy decides on those said over the agent; outside a
   * hold, words that are not a backchannel cut an answer still playing (it began while the user
   * was still talking).
   */
  #onWords(text: string, interim = false): void {
    if (this.#bargeIn.holding) return this.#bargeIn.words(text, interim);
    const response = this.#speakingResponse();
    if (response && !this.#bargeIn.isBackchannel(text)) response.interrupt();
  }

  #startUserTurn(): UserTurn {
    if (!this.#userTurn) {
      this.#userTurn = { turnId: randomUUID(), text: '', overAgent: this.#speakingResponse() !== undefined };
      if (!this.#vad) this.#onSpeechStarted(this.#inputMs);
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
    if (!this.#shouldAnswer(turn)) return;
    const preempted = this.#preemptive?.userText === turn.text && this.#preemptive.usable ? this.#preemptive : undefined;
    if (!preempted) this.#discardPreemptive();
    this.#preemptive = undefined;
    this.#history.addUser(turn.text);
    this.#respond(undefined, { speechEndedAt: this.#speechEndedAt, lastFinalAt: this.#lastFinalAt, endedAt: performance.now() }, preempted);
    this.#speechEndedAt = undefined;
    this.#lastFinalAt = undefined;
  }

  /**
   * Whether the turn gets an answer: not backchannel words said over the agent (it goes on), not
   * a turn meant for someone else (kept in the history as context).
   */
  #shouldAnswer(turn: UserTurn): boolean {
    const backchannel = turn.overAgent && this.#bargeIn.isBackchannel(turn.text);
    const addressed =
      backchannel ||
      !this.#addressing ||
      this.#addressing.isAddressed(turn.text, {
        agentAnsweredAtMs: this.#answeredAt,
        turnsSinceAnswer: this.#turnsSinceAnswer,
        answeredText: this.#answeredText,
        participantNames: this.#init.addressing?.participantNames() ?? [],
        nowMs: performance.now(),
      });
    if (!backchannel) this.#turnsSinceAnswer += 1;
    if (addressed && !backchannel) this.#answeredText = turn.text;
    if (backchannel || !addressed) {
      this.#discardPreemptive();
      this.#speechEndedAt = undefined;
      this.#lastFinalAt = undefined;
      if (!addressed) this.#history.addUser(turn.text);
      this.#log.debug({ turnId: turn.turnId, backchannel, addressed }, 'user turn not answered');
      return false;
    }
    return true;
  }

  /**
   * Starts the LLM on the turn's words so far, while the end of turn is confirmed (see
   * preemptive-generation.ts); words added since replace the attempt with a new one.
   */
  #preempt(userText: string): void {
    // With a VAD, not while the user is still heard speaking; without one, the STT's final is the sign.
    if (this.#init.preemptiveGeneration === false || (this.#vad && this.#userSpeaking)) return;
    // Backchannel words said over the agent get no answer: none is started early either.
    if (this.#userTurn?.overAgent && this.#bargeIn.isBackchannel(userText)) return;
    if (this.#preemptive?.userText === userText && this.#preemptive.usable) return;
    this.#discardPreemptive();
    const { llm, instructions, tools } = this.#init;
    this.#preemptive = new PreemptiveGeneration({ llm, instructions, tools, history: this.#history.messages, userText });
  }

  #discardPreemptive(): void {
    this.#preemptive?.discard();
    this.#preemptive = undefined;
  }

  /** Answers now (after cutting an answer still running); `fixedText` speaks it as it is. */
  #respond(fixedText?: string, userTurn?: UserTurnTiming, preempted?: PreemptiveGeneration): void {
    if (this.#response) this.#bargeIn.targetGone(this.#response);
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
      this.#bargeIn.targetGone(response);
      if (this.#response === response) this.#response = undefined;
      this.#answeredAt = performance.now();
      this.#turnsSinceAnswer = 0;
      this.#history.addAssistant(result.text, result.toolMessages);
    });
  }
}
