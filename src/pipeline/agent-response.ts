/**
 * One answer of the agent in pipeline mode: the text LLM's stream (its tool loop included) is
 * spoken by the TTS as it is produced, and both become the session's events for one model
 * turn: `output.transcript` as text is produced, `audio` as speech is synthesized (the first
 * chunk is `response.started`), tool calls and results, usage, and `turn.complete`.
 *
 * The answer lasts until its voice has about played out (see `#playedOut`), not only until the
 * text and audio are produced: until then a person can talk over it. Speech over it first
 * pauses its playback (`pause()`; generation goes on), which either resumes or is cut. Cut short (barge-in, close), the LLM request and the synthesis are aborted at once,
 * and the turn's text is what the listener heard: the words whose sound started before the moment of
 * the cut, counted from the first audio handed out (the agent plays it in real time from then),
 * from the TTS's word alignment; without alignment, the text in proportion to the audio heard.
 */
import { randomUUID } from 'node:crypto';
import { toError } from '../core/errors.js';
import type { LLM, LLMMessage } from '../llm/llm.js';
import type { RealtimeEvents, StageMetrics } from '../llm/realtime.js';
import type { ToolRegistry } from '../llm/tool-registry.js';
import type { TTS, TtsWordTiming } from '../tts/tts.js';
import type { PreemptiveGeneration } from './preemptive-generation.js';

/**
 * The answer is taken as played out this long before the estimate says: `turn.complete` marks
 * the end of the agent's utterance for playback, and may come before its last frames are out.
 */
const PLAYOUT_MARGIN_MS = 200;
/** How often the wait for the end of playback looks again (while paused, or in a long answer). */
const PAUSED_RECHECK_MS = 250;

/** performance.now() times of the user's turn that this answer answers. */
export interface UserTurnTiming {
  /** The user's speech ended (the VAD's, else the STT's). */
  speechEndedAt: number | undefined;
  /** The STT's last final transcript of the turn arrived. */
  lastFinalAt: number | undefined;
  /** The turn was taken as over. */
  endedAt: number;
}

type Emit = <K extends keyof RealtimeEvents>(event: K, payload: RealtimeEvents[K]) => void;

export interface AgentResponseInit {
  llm: LLM;
  tts: TTS;
  instructions: string | undefined;
  tools: ToolRegistry | undefined;
  /** The conversation so far, the user's last turn included. */
  messages: LLMMessage[];
  /** Speak exactly this instead of asking the LLM (`say`). */
  fixedText?: string;
  /** An answer the LLM started before the turn ended (preemptive generation), to speak instead of asking again. */
  preempted?: PreemptiveGeneration;
  /** When the user's turn ended, for the stage timings (`turn.metrics`); absent for `say` and text. */
  userTurn?: UserTurnTiming;
  outputSampleRate: number;
  voice?: string;
  language?: string;
  emit: Emit;
}

/** What a finished response leaves for the conversation history. */
export interface AgentResponseResult {
  turnId: string;
  /** What was heard: all of it, or up to the cut. */
  text: string;
  interrupted: boolean;
  /** The messages the LLM's tool loop added (calls and results), to keep in the history. */
  toolMessages: LLMMessage[];
  /** From the start to the first audio chunk, in ms; undefined when none came. */
  firstAudioMs: number | undefined;
  /** From the start to the LLM's first text, in ms. */
  firstTextMs: number | undefined;
}

export class AgentResponse {
  readonly turnId = randomUUID();
  readonly done: Promise<AgentResponseResult>;
  readonly #init: AgentResponseInit;
  readonly #abort = new AbortController();
  readonly #startedAt = performance.now();
  readonly #words: TtsWordTiming[] = [];
  #text = '';
  #generatedMs = 0;
  #firstAudioAt: number | undefined;
  #firstTextAt: number | undefined;
  #cutAt: number | undefined;
  #pausedAt: number | undefined;
  /** Time playback was held by pauses that resumed: not heard. */
  #heldMs = 0;

  constructor(init: AgentResponseInit) {
    this.#init = init;
    this.done = this.#run();
  }

  /** True once `interrupt()` was called. */
  get interrupted(): boolean {
    return this.#cutAt !== undefined;
  }

  /** True between `pause()` and `resume()` or `interrupt()`. */
  get paused(): boolean {
    return this.#pausedAt !== undefined;
  }

  /** Holds playback where it is (`playback.pause`); generation goes on. */
  pause(): void {
    if (this.#cutAt !== undefined || this.#pausedAt !== undefined) return;
    this.#pausedAt = performance.now();
    this.#init.emit('playback.pause', { turnId: this.turnId });
  }

  /** Plays on (`playback.resume`): it was not an interruption. */
  resume(): void {
    if (this.#cutAt !== undefined || this.#pausedAt === undefined) return;
    this.#heldMs += performance.now() - this.#pausedAt;
    this.#pausedAt = undefined;
    this.#init.emit('playback.resume', { turnId: this.turnId });
  }

  /** Stops now: nothing more is emitted but `interrupted` and the turn's `turn.complete`. */
  interrupt(): void {
    if (this.#cutAt !== undefined) return;
    // Held, the listener heard nothing since the pause: the cut is where playback stopped.
    this.#cutAt = this.#pausedAt ?? performance.now();
    this.#pausedAt = undefined;
    this.#init.emit('interrupted', { turnId: this.turnId });
    this.#abort.abort();
  }

  async #run(): Promise<AgentResponseResult> {
    const { tts, emit, outputSampleRate } = this.#init;
    const signal = this.#abort.signal;
    const speech = tts.synthesize({ sampleRate: outputSampleRate, voice: this.#init.voice, language: this.#init.language, signal });
    const toolMessages: LLMMessage[] = [];
    const speaking = (async () => {
      for await (const chunk of speech) {
        if (signal.aborted) break;
        if (this.#firstAudioAt === undefined) {
          this.#firstAudioAt = performance.now();
          emit('response.started', { turnId: this.turnId });
          emit('turn.metrics', { turnId: this.turnId, ...this.#stageMetrics(this.#firstAudioAt) });
        }
        if (chunk.words) this.#words.push(...chunk.words);
        this.#generatedMs += (chunk.samples.length * 1000) / chunk.sampleRate;
        emit('audio', { turnId: this.turnId, samples: chunk.samples, sampleRate: chunk.sampleRate });
      }
    })();
    // A synthesis that fails while the LLM still writes is handled where it is awaited, below;
    // until then its rejection must not count as unhandled (which ends a Node process).
    speaking.catch(() => undefined);
    try {
      if (this.#init.fixedText !== undefined) this.#produce(this.#init.fixedText, speech.pushText.bind(speech));
      else await this.#generate((text) => speech.pushText(text), toolMessages);
      speech.end();
      await speaking;
      await this.#playedOut(signal);
    } catch (error) {
      if (!signal.aborted) {
        emit('error', { error: toError(error) });
        this.#abort.abort();
      }
      await speaking.catch(() => undefined);
    } finally {
      await speech.close().catch(() => undefined);
    }
    const interrupted = this.#cutAt !== undefined;
    const text = interrupted ? this.#heardText() : this.#text;
    emit('turn.complete', { turnId: this.turnId, text, interrupted });
    return {
      turnId: this.turnId,
      text,
      interrupted,
      toolMessages,
      firstAudioMs: this.#firstAudioAt === undefined ? undefined : this.#firstAudioAt - this.#startedAt,
      firstTextMs: this.#firstTextAt === undefined ? undefined : this.#firstTextAt - this.#startedAt,
    };
  }

  async #generate(speak: (text: string) => void, toolMessages: LLMMessage[]): Promise<void> {
    const { llm, emit, instructions, tools, messages, preempted } = this.#init;
    const signal = this.#abort.signal;
    const events = preempted ? preempted.adopt(signal) : llm.stream({ instructions, messages, tools, signal });
    for await (const event of events) {
      if (signal.aborted) return;
      if (event.type === 'text') this.#produce(event.text, speak);
      else if (event.type === 'tool_call') {
        toolMessages.push({ role: 'assistant', content: [{ type: 'tool_call', call: event.call }] });
        emit('tool.call', { call: event.call });
      } else if (event.type === 'tool_result') {
        toolMessages.push({ role: 'user', content: [{ type: 'tool_result', call: event.call, result: event.result }] });
        emit('tool.result', { call: event.call, result: event.result });
      } else if (event.type === 'usage') emit('usage', { model: event.model, usage: event.usage });
    }
  }

  #produce(delta: string, speak: (text: string) => void): void {
    if (delta === '') return;
    this.#firstTextAt ??= performance.now();
    this.#text += delta;
    this.#init.emit('output.transcript', { turnId: this.turnId, delta, text: this.#text });
    speak(delta);
  }

  /**
   * Resolves once the answer has (about) played out: the agent plays it in real time from its
   * first audio, held while paused. Until then the answer is still the one a person talks over
   * (barge-in), though its text and audio are all produced: synthesis runs far ahead of the
   * voice. A cut resolves it at once.
   */
  async #playedOut(signal: AbortSignal): Promise<void> {
    while (!signal.aborted && this.#firstAudioAt !== undefined) {
      const remainingMs = this.#pausedAt !== undefined ? PAUSED_RECHECK_MS : this.#firstAudioAt + this.#heldMs + this.#generatedMs - PLAYOUT_MARGIN_MS - performance.now();
      if (remainingMs <= 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(remainingMs, PAUSED_RECHECK_MS));
        signal.addEventListener('abort', done, { once: true });
        function done() {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        }
      });
    }
  }

  #stageMetrics(firstAudioAt: number): StageMetrics {
    const since = (from: number | undefined, to: number | undefined) => (from === undefined || to === undefined ? undefined : Math.round(to - from));
    const turn = this.#init.userTurn;
    const { preempted } = this.#init;
    return {
      endOfTurnDelayMs: since(turn?.speechEndedAt, turn?.endedAt),
      sttFinalLatencyMs: since(turn?.speechEndedAt, turn?.lastFinalAt),
      llmFirstTokenMs: this.#init.fixedText !== undefined ? undefined : preempted ? since(preempted.startedAt, preempted.firstTextAt) : since(this.#startedAt, this.#firstTextAt),
      ttsFirstByteMs: since(this.#firstTextAt, firstAudioAt),
      endToEndMs: since(turn?.speechEndedAt, firstAudioAt),
    };
  }

  /** The words heard before the cut (see the file comment). */
  #heardText(): string {
    if (this.#firstAudioAt === undefined || this.#cutAt === undefined) return '';
    const heardMs = Math.min(this.#cutAt - this.#firstAudioAt - this.#heldMs, this.#generatedMs);
    if (this.#words.length > 0) {
      return this.#words
        .filter((word) => word.startMs < heardMs)
        .map((word) => word.text)
        .join(' ');
    }
    if (this.#generatedMs === 0) return '';
    const share = Math.min(1, heardMs / this.#generatedMs);
    const cut = this.#text.slice(0, Math.round(this.#text.length * share));
    // Whole words only: up to the last space of the share.
    return share >= 1 ? this.#text : cut.slice(0, Math.max(0, cut.lastIndexOf(' '))).trim();
  }
}
