/**
 * Decides who said a user turn when several people are in the call.
 *
 * The realtime model hears one mixed stream and does not say who spoke, so we watch each
 * participant's audio level ourselves. The rule, applied when the model starts a user turn:
 * **among the people talking now, the one who started first owns the turn** ("first speaker
 * wins while someone is talking"). "Talking now" means speech within the last
 * `activeWindowMs`; a person's speech run starts after a pause longer than `pauseMs`. If
 * nobody is talking now (a short reply the model transcribed late), the most recent speaker
 * owns the turn; if nobody has spoken at all, the only participant does.
 */
export interface Speaker {
  userId: string;
  sessionId: string;
}

export interface SpeakerTrackerOptions {
  /** A frame louder than this RMS level (dBFS) counts as speech; default -45. */
  speechThresholdDbfs?: number;
  /** Silence longer than this ends a speech run; default 300. */
  pauseMs?: number;
  /** Speech this recent counts as talking now; default 400. */
  activeWindowMs?: number;
}

interface SpeakerState {
  speaker: Speaker;
  /** When the current (or last) run of speech started. */
  runStartMs: number | undefined;
  lastSpeechMs: number | undefined;
  /** When their latest frame (speech or not) arrived. */
  lastFrameMs: number | undefined;
}

export class SpeakerTracker {
  readonly #participants = new Map<string, SpeakerState>();
  /** Mean square of Int16 samples above which a frame is speech. */
  readonly #thresholdMeanSquare: number;
  readonly #pauseMs: number;
  readonly #activeWindowMs: number;

  constructor(options: SpeakerTrackerOptions = {}) {
    const amplitude = 32768 * 10 ** ((options.speechThresholdDbfs ?? -45) / 20);
    this.#thresholdMeanSquare = amplitude * amplitude;
    this.#pauseMs = options.pauseMs ?? 300;
    this.#activeWindowMs = options.activeWindowMs ?? 400;
  }

  /** Called for every frame a participant sends; cheap (one pass over the samples). */
  observe(speaker: Speaker, samples: Int16Array, atMs: number): void {
    let state = this.#participants.get(speaker.sessionId);
    if (!state) this.#participants.set(speaker.sessionId, (state = { speaker, runStartMs: undefined, lastSpeechMs: undefined, lastFrameMs: undefined }));
    state.lastFrameMs = atMs;
    let sumSquares = 0;
    for (let i = 0; i < samples.length; i++) sumSquares += samples[i]! * samples[i]!;
    if (samples.length === 0 || sumSquares / samples.length < this.#thresholdMeanSquare) return;
    if (state.lastSpeechMs === undefined || atMs - state.lastSpeechMs > this.#pauseMs) state.runStartMs = atMs;
    state.lastSpeechMs = atMs;
  }

  /** Who owns the user turn that starts at `nowMs`, by the rule above. */
  speakerOfTurn(nowMs: number): Speaker | undefined {
    let first: SpeakerState | undefined;
    let latest: SpeakerState | undefined;
    for (const state of this.#participants.values()) {
      if (state.lastSpeechMs === undefined) continue;
      if (nowMs - state.lastSpeechMs <= this.#activeWindowMs && (!first || state.runStartMs! < first.runStartMs!)) first = state;
      if (!latest || state.lastSpeechMs > latest.lastSpeechMs!) latest = state;
    }
    const only = this.#participants.size === 1 ? [...this.#participants.values()][0] : undefined;
    return (first ?? latest ?? only)?.speaker;
  }

  /** Whether this participant spoke within the last `activeWindowMs` before `nowMs`. */
  isTalking(sessionId: string, nowMs: number): boolean {
    const lastSpeechMs = this.#participants.get(sessionId)?.lastSpeechMs;
    return lastSpeechMs !== undefined && nowMs - lastSpeechMs <= this.#activeWindowMs;
  }

  /** Whether anyone but this participant is talking at `nowMs`. */
  anyoneElseTalking(sessionId: string, nowMs: number): boolean {
    for (const other of this.#participants.keys()) if (other !== sessionId && this.isTalking(other, nowMs)) return true;
    return false;
  }

  /**
   * Whether this participant was talking when their audio stopped: speech within `activeWindowMs`
   * of their latest frame. Measured from that frame, not from now, because the news that the
   * audio stopped (a mute, a leave) comes later than the audio did.
   */
  stoppedMidSpeech(sessionId: string): boolean {
    const lastFrameMs = this.#participants.get(sessionId)?.lastFrameMs;
    return lastFrameMs !== undefined && this.isTalking(sessionId, lastFrameMs);
  }

  remove(sessionId: string): void {
    this.#participants.delete(sessionId);
  }
}
