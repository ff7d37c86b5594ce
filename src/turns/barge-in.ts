/**
 * What to do when someone speaks while the agent does: the one barge-in policy of both modes.
 *
 * - The agent's audio is held at once: at the first audio the detector scores as voice
 *   (`voiceHeard`, tens of milliseconds in), not only at its start of speech (which needs about
 *   100 ms of speech to be sure). A hold the detector does not confirm as speech within
 *   `confirmWithinMs` (a click, a breath) plays on at once.
 * - It is a real interruption, and the answer is cut, when
 *   - transcripts exist (pipeline mode): the words said are not a backchannel ("wait", "no, that's
 *     wrong"); "mm-hmm", "yeah, right" or a laugh never cut, however long;
 *   - they do not (realtime mode under the agent's own detection): the speech lasted
 *     `minInterruptionSpeechMs`, which a backchannel or a cough does not reach.
 * - Otherwise, when the speech stops, playback resumes where it stopped: after 200 ms of quiet
 *   when its words were a backchannel, at the detector's end of speech when there are no
 *   transcripts, after `wordsTimeoutMs` of waiting for words that did not come (a cough the STT
 *   heard nothing in).
 *
 * Speech that stops and starts again before a decision (a pause in "wait… stop") belongs to the
 * same episode: its durations and words add up. The policy owns no audio and no model: it
 * tells its target to pause, resume or interrupt, and is driven by the session's detector, its
 * transcripts and its input clock (ms of audio received, which arrives in real time).
 */
import { BackchannelClassifier } from './backchannel.js';

/** The answer being spoken, as the policy acts on it. */
export interface BargeInTarget {
  pause(): void;
  resume(): void;
  interrupt(): void;
}

export interface BargeInOptions {
  /** True where speech-to-text transcripts of the user's speech come (`words()` is called). */
  transcripts: boolean;
  /** Without transcripts: speech over the agent this long is an interruption. */
  minInterruptionSpeechMs?: number;
  /** With transcripts: after the speech stops without words, how long to wait for them before playing on. */
  wordsTimeoutMs?: number;
  /** Words that never interrupt; default DEFAULT_BACKCHANNELS. */
  backchannels?: readonly string[];
  /** A hold at voice the detector has not confirmed as speech within this long plays on; default 250. */
  confirmWithinMs?: number;
}

/** After backchannel words, this much quiet (Silero's 400 ms end of speech is not waited for) plays on. */
const BACKCHANNEL_QUIET_MS = 200;
/** Silero confirms speech after 100 ms of it, scored in 32 ms windows, a window or two late. */
export const DEFAULT_CONFIRM_WITHIN_MS = 250;

/**
 * Backchannels and noises in the turn-taking corpus last 200–650 ms and real interruptions
 * 700 ms or more (espeak-ng at 140–190 words a minute, Silero's measured speech); people's
 * "mm-hmm" is shorter still. See bench/turns.bench.ts.
 */
export const DEFAULT_MIN_INTERRUPTION_SPEECH_MS = 700;
/** A final transcript usually follows the end of speech by 100–300 ms; this leaves room for a slow one. */
export const DEFAULT_WORDS_TIMEOUT_MS = 600;

type Decision = 'pending' | 'backchannel';

interface Episode {
  target: BargeInTarget;
  decision: Decision;
  /** Input time at which the current run of speech started, while it lasts. */
  speechStartMs: number | undefined;
  /** Held at voice the detector has not confirmed as speech yet: input time of that voice. */
  unconfirmedSinceMs: number | undefined;
  /** Speech of earlier runs in this episode, in ms. */
  spokenMs: number;
  /** Input time of the last audio the detector scored as speech in this run, where it says. */
  lastVoicedMs: number | undefined;
  words: string;
  resumeTimer: NodeJS.Timeout | undefined;
}

export class BargeInPolicy {
  #transcripts: boolean;
  readonly minInterruptionSpeechMs: number;
  readonly wordsTimeoutMs: number;
  readonly confirmWithinMs: number;
  readonly #classifier: BackchannelClassifier;
  #episode: Episode | undefined;
  #inputMs = 0;

  constructor(options: BargeInOptions) {
    this.#transcripts = options.transcripts;
    this.minInterruptionSpeechMs = options.minInterruptionSpeechMs ?? DEFAULT_MIN_INTERRUPTION_SPEECH_MS;
    this.wordsTimeoutMs = options.wordsTimeoutMs ?? DEFAULT_WORDS_TIMEOUT_MS;
    this.confirmWithinMs = options.confirmWithinMs ?? DEFAULT_CONFIRM_WITHIN_MS;
    if (!(this.minInterruptionSpeechMs >= 0)) throw new RangeError(`minInterruptionSpeechMs must be >= 0, got ${this.minInterruptionSpeechMs}`);
    if (!(this.wordsTimeoutMs >= 0)) throw new RangeError(`wordsTimeoutMs must be >= 0, got ${this.wordsTimeoutMs}`);
    this.#classifier = new BackchannelClassifier(options.backchannels);
  }

  /** Whether words decide (`words()` is called), else the speech's duration. */
  get transcripts(): boolean {
    return this.#transcripts;
  }

  /** The transcripts stopped coming (the STT failed for good): decide on duration from now on. */
  wordsLost(): void {
    this.#transcripts = false;
  }

  /** True while speech over the agent holds its playback, undecided or a backchannel not yet over. */
  get holding(): boolean {
    return this.#episode !== undefined;
  }

  /** Whether `text` is only backchannel words (for a turn said while the agent spoke). */
  isBackchannel(text: string): boolean {
    return this.#classifier.isBackchannel(text);
  }

  /**
   * The detector heard speech start at `atMs` (input time). `target` is the answer being
   * spoken now, if any: it is held at once.
   */
  speechStarted(atMs: number, target: BargeInTarget | undefined): void {
    const episode = this.#episode;
    if (episode) {
      clearTimeout(episode.resumeTimer);
      episode.resumeTimer = undefined;
      episode.unconfirmedSinceMs = undefined;
      episode.speechStartMs = atMs;
      episode.lastVoicedMs = undefined;
      this.#decideByDuration();
      return;
    }
    if (!target) return;
    this.#hold(target, { speechStartMs: atMs, unconfirmedSinceMs: undefined });
  }

  /**
   * The detector scored the latest audio (at input time `atMs`) as voice, before it is sure of
   * speech: `target`, the answer being spoken, is held now; `speechStarted` confirms the hold.
   */
  voiceHeard(atMs: number, target: BargeInTarget | undefined): void {
    if (this.#episode || !target) return;
    this.#hold(target, { speechStartMs: undefined, unconfirmedSinceMs: atMs });
  }

  #hold(target: BargeInTarget, at: Pick<Episode, 'speechStartMs' | 'unconfirmedSinceMs'>): void {
    this.#episode = { target, decision: 'pending', ...at, spokenMs: 0, lastVoicedMs: undefined, words: '', resumeTimer: undefined };
    target.pause();
  }

  /**
   * The input clock moved on to `inputMs` (called as audio arrives). `voiced`, where the
   * detector tells it, says whether the latest audio is speech: the running duration then stops
   * at the last voiced moment, so the silence a detector waits through before it says "speech
   * ended" does not count as speech.
   */
  audio(inputMs: number, voiced?: boolean): void {
    this.#inputMs = inputMs;
    const episode = this.#episode;
    if (episode?.unconfirmedSinceMs !== undefined && inputMs - episode.unconfirmedSinceMs >= this.confirmWithinMs) {
      this.#resume(); // voice the detector never took for speech: a click, a breath
      return;
    }
    if (episode && voiced !== undefined) {
      if (voiced) episode.lastVoicedMs = inputMs;
      else episode.lastVoicedMs ??= episode.speechStartMs;
      // Known to be a backchannel and the voice has stopped: play on now, not after the
      // detector's longer wait for silence (its end of speech).
      const quietMs = episode.lastVoicedMs === undefined ? 0 : inputMs - episode.lastVoicedMs;
      if (episode.decision === 'backchannel' && !voiced && quietMs >= BACKCHANNEL_QUIET_MS) return this.#resume();
    }
    this.#decideByDuration();
  }

  /**
   * Words of the speech: `interim` while a transcript is still being written (its next version
   * replaces it), else settled words, which add up.
   */
  words(text: string, interim = false): void {
    const episode = this.#episode;
    if (!episode || text.trim() === '') return;
    const said = `${episode.words} ${text}`.trim();
    if (!interim) episode.words = said;
    if (this.#classifier.isBackchannel(said)) {
      episode.decision = 'backchannel';
      if (episode.speechStartMs === undefined) this.#resume(); // the words came after the speech ended
      return;
    }
    // "I" may be the start of "I see": the next version of the transcript decides.
    if (interim && this.#classifier.mayBecomeBackchannel(said)) return;
    this.#interrupt();
  }

  /** The detector heard the speech stop at `atMs` (input time). */
  speechEnded(atMs: number): void {
    const episode = this.#episode;
    if (!episode || episode.speechStartMs === undefined) return;
    episode.spokenMs += Math.max(0, atMs - episode.speechStartMs);
    episode.speechStartMs = undefined;
    if (!this.#transcripts) {
      if (episode.spokenMs >= this.minInterruptionSpeechMs) this.#interrupt();
      else this.#resume();
      return;
    }
    if (episode.decision === 'backchannel') return this.#resume();
    // No words yet: they may still come (an STT's final trails the speech).
    episode.resumeTimer = setTimeout(() => {
      if (this.#episode === episode) this.#resume();
    }, this.wordsTimeoutMs);
  }

  /** The held answer ended by itself or was replaced: the episode is over, nothing to resume. */
  targetGone(target: BargeInTarget): void {
    if (this.#episode?.target === target) this.#end();
  }

  close(): void {
    this.#end();
  }

  #decideByDuration(): void {
    const episode = this.#episode;
    if (this.#transcripts || !episode || episode.speechStartMs === undefined) return;
    const heardUntilMs = episode.lastVoicedMs ?? this.#inputMs;
    if (episode.spokenMs + (heardUntilMs - episode.speechStartMs) >= this.minInterruptionSpeechMs) this.#interrupt();
  }

  #interrupt(): void {
    const episode = this.#end();
    episode?.target.interrupt();
  }

  #resume(): void {
    const episode = this.#end();
    episode?.target.resume();
  }

  #end(): Episode | undefined {
    const episode = this.#episode;
    if (episode) clearTimeout(episode.resumeTimer);
    this.#episode = undefined;
    return episode;
  }
}
