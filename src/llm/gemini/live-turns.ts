/**
 * Turns Gemini Live's server content into user and model turns with stable ids.
 *
 * Gemini does not report speech boundaries, so they are derived:
 * - a user turn starts with the first `inputTranscription` after the previous user turn was
 *   finalised (`user.speech.started`);
 * - the user has stopped speaking when the model takes the turn: its first audio or
 *   transcript, a tool call, `generationComplete` or `turnComplete`, whichever comes first
 *   (`user.speech.ended`);
 * - input transcription lags the audio and may keep arriving after the model started, so the
 *   user turn stays open and is finalised (`input.transcript.done`) when the model's turn
 *   ends, or at a barge-in, after which new speech is a new turn.
 * A model turn starts with its first audio or output transcript (`response.started`) and ends
 * at `turnComplete`, or at `interrupted` with the text produced so far. Gemini follows
 * `interrupted` with the cut turn's own `turnComplete`, which is swallowed here. In audio mode
 * the model's words are its output transcription only: text parts of `modelTurn` can hold
 * thoughts or tool calls written out, never shown to the user.
 */
import { randomUUID } from 'node:crypto';
import type { RealtimeEvents } from '../realtime.js';

type Emit = <K extends keyof RealtimeEvents>(event: K, payload: RealtimeEvents[K]) => void;

interface UserTurn {
  id: string;
  text: string;
  speaking: boolean;
}

interface ModelTurn {
  id: string;
  text: string;
}

export class LiveTurnTracker {
  readonly #emit: Emit;
  #user: UserTurn | undefined;
  #model: ModelTurn | undefined;
  /** Set after an interruption cut a model turn: its trailing `turnComplete` is not a new turn's. */
  #swallowTurnComplete = false;

  constructor(emit: Emit) {
    this.#emit = emit;
  }

  /** The model turn in progress (or whose audio is still playing), if any. */
  get modelTurnId(): string | undefined {
    return this.#model?.id;
  }

  /** True while the model is producing a turn. */
  get responding(): boolean {
    return this.#model !== undefined;
  }

  inputTranscript(delta: string): void {
    if (delta === '') return;
    if (!this.#user) {
      this.#user = { id: randomUUID(), text: '', speaking: true };
      this.#emit('user.speech.started', { turnId: this.#user.id });
    }
    this.#user.text += delta;
    this.#emit('input.transcript', { turnId: this.#user.id, delta, text: this.#user.text });
  }

  /** The model's turn id for an audio chunk, starting the turn if this is its first output. */
  modelOutput(): string {
    return this.#startModelTurn().id;
  }

  outputTranscript(delta: string): void {
    if (delta === '') return;
    const turn = this.#startModelTurn();
    turn.text += delta;
    this.#emit('output.transcript', { turnId: turn.id, delta, text: turn.text });
  }

  /** The model is acting (a tool call, generation done): the user has finished speaking. */
  modelActed(): void {
    this.#userStoppedSpeaking();
  }

  /** The agent's own detection says the user stopped speaking (before the model acts). */
  userStopped(): void {
    this.#userStoppedSpeaking();
  }

  /** The user's turn is final now (it was not for the agent: no answer will close it). */
  userTurnDone(): void {
    this.#finishUserTurn();
  }

  turnComplete(): void {
    this.#userStoppedSpeaking();
    if (this.#swallowTurnComplete && !this.#model) {
      this.#swallowTurnComplete = false;
      return;
    }
    this.#finishModelTurn(false);
    this.#finishUserTurn();
  }

  /** The model turn was cut; `heard` gives what the listener heard of its text (all of it by default). */
  interrupted(heard: (text: string) => string = (text) => text): void {
    const cut = this.#model;
    this.#emit('interrupted', { turnId: cut?.id });
    if (cut) {
      cut.text = heard(cut.text);
      this.#finishModelTurn(true);
      this.#swallowTurnComplete = true;
    }
    // New speech after a barge-in is a new user turn.
    this.#finishUserTurn();
  }

  /**
   * The connection is gone: whatever was in flight ends here, a cut model turn as interrupted.
   * No `interrupted` event: the audio already received is real and may finish playing.
   */
  connectionLost(): void {
    this.#finishModelTurn(true);
    this.#finishUserTurn();
    this.#swallowTurnComplete = false;
  }

  #startModelTurn(): ModelTurn {
    if (this.#model) return this.#model;
    this.#userStoppedSpeaking();
    this.#swallowTurnComplete = false;
    this.#model = { id: randomUUID(), text: '' };
    this.#emit('response.started', { turnId: this.#model.id });
    return this.#model;
  }

  #userStoppedSpeaking(): void {
    if (!this.#user?.speaking) return;
    this.#user.speaking = false;
    this.#emit('user.speech.ended', { turnId: this.#user.id });
  }

  #finishModelTurn(interrupted: boolean): void {
    const turn = this.#model;
    if (!turn) return;
    this.#model = undefined;
    this.#emit('turn.complete', { turnId: turn.id, text: turn.text, interrupted });
  }

  #finishUserTurn(): void {
    const turn = this.#user;
    if (!turn) return;
    this.#userStoppedSpeaking();
    this.#user = undefined;
    this.#emit('input.transcript.done', { turnId: turn.id, text: turn.text });
  }
}
