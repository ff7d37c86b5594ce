/**
 * Decides who said a user turn when several people are in the call.
 *
 * The realtime model hears one mixed stream and does not say who spoke, so we watch each
 * participant's audio level ourselves. The rule: **the first person to start speaking since
 * the previous turn boundary owns the next user turn** ("first speaker wins while someone is
 * talking"). If nobody has spoken since the boundary (the model transcribed late), the most
 * recent speaker owns it; if nobody has spoken at all, the only participant does.
 */
export interface Speaker {
  userId: string;
  sessionId: string;
}

export interface SpeakerTrackerOptions {
  /** A frame louder than this RMS level (dBFS) counts as speech; default -45. */
  speechThresholdDbfs?: number;
}

interface SpeakerState {
  speaker: Speaker;
  /** When this participant started speaking after the last boundary, if they did. */
  onsetMs: number | undefined;
  lastSpeechMs: number | undefined;
}

export class SpeakerTracker {
  readonly #participants = new Map<string, SpeakerState>();
  /** Mean square of Int16 samples above which a frame is speech. */
  readonly #thresholdMeanSquare: number;

  constructor(options: SpeakerTrackerOptions = {}) {
    const amplitude = 32768 * 10 ** ((options.speechThresholdDbfs ?? -45) / 20);
    this.#thresholdMeanSquare = amplitude * amplitude;
  }

  /** Called for every frame a participant sends; cheap (one pass over the samples). */
  observe(speaker: Speaker, samples: Int16Array, atMs: number): void {
    let state = this.#participants.get(speaker.sessionId);
    if (!state) this.#participants.set(speaker.sessionId, (state = { speaker, onsetMs: undefined, lastSpeechMs: undefined }));
    let sumSquares = 0;
    for (let i = 0; i < samples.length; i++) sumSquares += samples[i]! * samples[i]!;
    if (samples.length === 0 || sumSquares / samples.length < this.#thresholdMeanSquare) return;
    state.onsetMs ??= atMs;
    state.lastSpeechMs = atMs;
  }

  /** A turn ended (the agent answered, or a user turn was attributed): onsets start over. */
  markBoundary(): void {
    for (const state of this.#participants.values()) state.onsetMs = undefined;
  }

  /** Who owns the user turn that is starting now, by the rule above. */
  speakerOfTurn(): Speaker | undefined {
    let first: SpeakerState | undefined;
    let latest: SpeakerState | undefined;
    for (const state of this.#participants.values()) {
      if (state.onsetMs !== undefined && (!first || state.onsetMs < first.onsetMs!)) first = state;
      if (state.lastSpeechMs !== undefined && (!latest || state.lastSpeechMs > latest.lastSpeechMs!)) latest = state;
    }
    const only = this.#participants.size === 1 ? [...this.#participants.values()][0] : undefined;
    return (first ?? latest ?? only)?.speaker;
  }

  remove(sessionId: string): void {
    this.#participants.delete(sessionId);
  }
}
