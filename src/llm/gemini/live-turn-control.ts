/**
 * Gemini Live under the agent's own turn-taking: the service's automatic activity detection is
 * off, and this decides, from a local voice activity detector (e.g. Silero), when the user's
 * activity starts and ends (`activityStart` / `activityEnd`), so realtime mode follows the same
 * policy as pipeline mode (turns/):
 *
 * - Speech while the agent is silent opens an activity at once, with the audio just before the
 *   detector's decision (`PRE_ROLL_MS`) so the first syllable is not lost.
 * - Speech while the agent speaks holds its playback (`playback.pause`) and holds the audio back
 *   from the service: the model must not hear a backchannel as a turn. The barge-in policy then
 *   decides: a real interruption cuts the answer (the session's `cut`) and opens the activity
 *   with the held audio; a backchannel or a noise is dropped and playback resumes.
 * - The activity ends at the end of the user's turn (EndOfTurnDetector: silence, with the
 *   model's input transcription as the text signal). With `when-addressed` addressing, a turn not
 *   meant for the agent does not end the activity: the model keeps hearing the talk as context
 *   and answers when someone addresses it.
 * - `audioStreamEnded()` (a microphone muted, a speaker left) ends the turn now.
 *
 * "The agent speaks" is the model answering, or its audio still playing: the service sends it
 * faster than real time, so the answer's end is estimated from the audio received (it plays in
 * real time from its first chunk, held while paused).
 */
import type { BargeInOptions } from '../../turns/barge-in.js';
import { BargeInPolicy, type BargeInTarget } from '../../turns/barge-in.js';
import { AddressingPolicy, type AddressingSettings } from '../../turns/addressing.js';
import { EndOfTurnDetector } from '../../turns/end-of-turn.js';
import type { VAD, VadStream } from '../../vad/vad.js';
import type { STT, SttStream } from '../../stt/stt.js';
import { toError } from '../../core/errors.js';
import { RecentAudio } from '../../audio/recent-audio.js';
import { LIVE_INPUT_SAMPLE_RATE } from './live-audio.js';

/** How long a turn that ended without a transcript yet waits for one before it is decided. */
const TRANSCRIPT_WAIT_MS = 1_000;
/** Audio kept from before the detector's start of speech, and sent with it. */
const PRE_ROLL_MS = 300;
/**
 * Speech over the agent held back while undecided, at most: the newest part goes to the model
 * if it is an interruption. Words decide without a bound on length (a person can say "yeah,
 * yeah, right" for long), so the memory needs one of its own.
 */
const MAX_HELD_MS = 15_000;

/** The agent's own turn detection for Gemini Live (`GeminiRealtime`'s `turnDetection`). */
export interface LocalTurnDetection {
  /** The voice activity detector, e.g. `new SileroVAD()` from `stream-gemini-agents/silero`. */
  vad: VAD;
  /**
   * Speech-to-text for the words of speech over the agent (e.g. DeepgramSTT): with it, barge-in
   * is decided on words as in pipeline mode (a backchannel never cuts, however long); it hears
   * only that speech. Without it, on how long the speech lasts.
   */
  stt?: STT;
  /** BCP-47 code for `stt`; default: the STT's. */
  language?: string;
  /** Without `stt`: speech over the agent this long is an interruption; default 700. */
  minInterruptionSpeechMs?: number;
  /** With `stt`: speech over the agent that stopped without words plays on after waiting this long for them; default 600. */
  falseInterruptionTimeoutMs?: number;
  /** Silence that ends the turn when its transcript ends a sentence; default 500. */
  minEndpointingDelayMs?: number;
  /** Silence that ends the turn otherwise; default 1 500. */
  maxEndpointingDelayMs?: number;
}

/** Realtime transcripts lag the audio; a turn without its text yet should not wait the pipeline's 3 s. */
const DEFAULT_REALTIME_MAX_ENDPOINTING_DELAY_MS = 1_500;

/** What the control does to the session. */
export interface LiveTurnIo {
  /** Forward user audio to the service (inside an activity). */
  sendAudio(samples: Int16Array): void;
  activityStart(): void;
  activityEnd(): void;
  /** The answer being heard (its turn id), for `playback.pause` / `playback.resume`. */
  pause(): void;
  resume(): void;
  /** A real interruption: cut the answer now; `unplayedMs` of its audio was not heard. */
  cut(unplayedMs: number): void;
  /** A user turn was taken as over: its transcript is final, answered or not. */
  userTurnEnded(addressed: boolean): void;
  /** Whether the model is producing an answer now. */
  responding(): boolean;
  /** The STT failed (the policy then waits for words that do not come, and plays on). */
  error(error: Error): void;
}

export class LiveTurnControl {
  readonly #io: LiveTurnIo;
  readonly #stream: VadStream;
  readonly #bargeIn: BargeInPolicy;
  readonly #endOfTurn: EndOfTurnDetector;
  readonly #addressing: AddressingPolicy | undefined;
  readonly #participantNames: () => readonly string[];
  readonly #unsubscribe: Array<() => void>;
  /** The last PRE_ROLL_MS of input. */
  readonly #preRoll = new RecentAudio(PRE_ROLL_MS, LIVE_INPUT_SAMPLE_RATE);
  /** Audio held back while speech over the agent is undecided. */
  #held: RecentAudio | undefined;
  #activityOpen = false;
  /** Between the detector's start and end of speech. */
  #userSpeaking = false;
  #inputMs = 0;
  #turnText = '';
  #answeredAtMs: number | undefined;
  #turnsSinceAnswer = 0;
  #answeredText: string | undefined;
  /** A turn that ended before its transcript came, waiting for it (addressing needs the words). */
  #textWait: NodeJS.Timeout | undefined;
  /** performance.now() until which the agent's audio is estimated to play. */
  #playingUntil = 0;
  #pausedAt: number | undefined;
  readonly #target: BargeInTarget;
  readonly #stt: SttStream | undefined;
  /** Audio given to the STT, in ms, and where the current hold's audio started in it. */
  #sttAudioMs = 0;
  #heardFromMs = 0;

  constructor(options: LocalTurnDetection & { addressing?: AddressingSettings }, io: LiveTurnIo) {
    this.#io = io;
    this.#stt = options.stt?.stream({ sampleRate: LIVE_INPUT_SAMPLE_RATE, language: options.language });
    const bargeIn: BargeInOptions = {
      transcripts: this.#stt !== undefined,
      minInterruptionSpeechMs: options.minInterruptionSpeechMs,
      wordsTimeoutMs: options.falseInterruptionTimeoutMs,
    };
    this.#bargeIn = new BargeInPolicy(bargeIn);
    if (this.#stt) void this.#listen(this.#stt);
    this.#endOfTurn = new EndOfTurnDetector({
      minDelayMs: options.minEndpointingDelayMs,
      maxDelayMs: options.maxEndpointingDelayMs ?? Math.max(DEFAULT_REALTIME_MAX_ENDPOINTING_DELAY_MS, options.minEndpointingDelayMs ?? 0),
      requireText: false,
      onTurnEnd: () => this.#endTurn(),
    });
    this.#addressing = options.addressing && new AddressingPolicy(options.addressing);
    this.#participantNames = options.addressing ? () => options.addressing!.participantNames() : () => [];
    this.#target = {
      pause: () => {
        this.#pausedAt = performance.now();
        this.#held = new RecentAudio(MAX_HELD_MS, LIVE_INPUT_SAMPLE_RATE);
        this.#heardFromMs = this.#sttAudioMs;
        for (const samples of this.#preRoll.frames) this.#hear(this.#held.push(samples));
        io.pause();
      },
      resume: () => {
        this.#playingUntil += performance.now() - (this.#pausedAt ?? performance.now());
        this.#pausedAt = undefined;
        this.#held = undefined; // a backchannel or a noise: the model never hears it
        io.resume();
      },
      interrupt: () => {
        const unplayedMs = Math.max(0, this.#playingUntil - (this.#pausedAt ?? performance.now()));
        this.answerCut();
        const held = this.#held?.frames ?? [];
        this.#held = undefined;
        io.cut(unplayedMs);
        this.#openActivity(held);
      },
    };
    this.#stream = options.vad.stream({ sampleRate: LIVE_INPUT_SAMPLE_RATE });
    this.#unsubscribe = [
      this.#stream.on('speech.started', ({ atMs }) => this.#onSpeechStarted(atMs)),
      this.#stream.on('speech.ended', ({ atMs }) => this.#onSpeechEnded(atMs)),
    ];
  }

  /** Whether the agent is speaking: answering, or its audio still playing (or held). */
  get agentSpeaking(): boolean {
    return this.#io.responding() || this.#pausedAt !== undefined || performance.now() < this.#playingUntil;
  }

  /** When the agent's audio is estimated to end, as performance.now(); `Infinity` while held. */
  get playingUntilMs(): number {
    return this.#pausedAt !== undefined ? Number.POSITIVE_INFINITY : this.#playingUntil;
  }

  /** The user's audio, 16 kHz, as it arrives. */
  push(samples: Int16Array): void {
    this.#inputMs += (samples.length * 1000) / LIVE_INPUT_SAMPLE_RATE;
    this.#stream.push(samples);
    if (this.#held) this.#hear(this.#held.push(samples));
    else if (this.#activityOpen) this.#io.sendAudio(samples);
    this.#preRoll.push(samples);
    // Voice over the agent holds it now; the detector's start of speech comes about 100 ms later.
    if (this.#stream.voiced && !this.#activityOpen && this.agentSpeaking) this.#bargeIn.voiceHeard(this.#inputMs, this.#target);
    this.#bargeIn.audio(this.#inputMs, this.#stream.voiced);
  }

  /**
   * The model sent `durationMs` of audio: it plays after what is queued, or from now if nothing
   * is; during a hold, from the moment of the hold (the resume adds the hold's length).
   */
  modelAudio(durationMs: number): void {
    this.#playingUntil = Math.max(this.#playingUntil, this.#pausedAt ?? performance.now()) + durationMs;
  }

  /** The answer was cut (by us, or by the service): nothing of it plays any more. */
  answerCut(): void {
    this.#playingUntil = 0;
    this.#pausedAt = undefined;
  }

  /** The model finished an answer: follow-up questions are taken as addressed for a while. */
  answered(): void {
    this.#answeredAtMs = performance.now();
    this.#turnsSinceAnswer = 0;
  }

  /** The model's transcription of the user's speech in the open activity. */
  inputTranscript(delta: string): void {
    this.#turnText += delta;
    if (this.#textWait) return this.#decideTurn();
    // Words of speech the detector hears but has not confirmed yet (the service can transcribe
    // that fast in an activity already open): the user is speaking, not done.
    if (!this.#userSpeaking && (this.#stream.voiced || this.#stream.speaking)) this.#endOfTurn.speechStarted();
    this.#endOfTurn.finalText(delta);
  }

  /** The user's audio stopped without trailing silence: the turn ends now. */
  audioStreamEnded(): void {
    if (this.#held) this.#bargeIn.speechEnded(this.#inputMs);
    if (this.#activityOpen) this.#endTurn();
  }

  /** A new connection carries the session: it has no activity open. */
  connectionChanged(): void {
    this.#activityOpen = false;
    this.#turnText = '';
    this.#endOfTurn.reset();
  }

  close(): void {
    this.#cancelTextWait();
    void this.#stt?.close();
    for (const off of this.#unsubscribe.splice(0)) off();
    this.#stream.close();
    this.#bargeIn.close();
    this.#endOfTurn.close();
  }

  #onSpeechStarted(atMs: number): void {
    this.#userSpeaking = true;
    this.#cancelTextWait(); // the user goes on: the turn is not over
    this.#endOfTurn.speechStarted();
    if (this.#activityOpen) return;
    if (this.agentSpeaking) {
      this.#bargeIn.speechStarted(atMs, this.#target);
      return;
    }
    this.#openActivity(this.#preRoll.frames);
  }

  #onSpeechEnded(atMs: number): void {
    this.#userSpeaking = false;
    if (this.#held) this.#stt?.flush(); // its words, settled now
    this.#bargeIn.speechEnded(atMs);
    if (this.#activityOpen) this.#endOfTurn.speechEnded();
  }

  #openActivity(audio: readonly Int16Array[]): void {
    if (this.#activityOpen) return;
    this.#activityOpen = true;
    this.#io.activityStart();
    for (const samples of audio) this.#io.sendAudio(samples);
  }

  /**
   * The end-of-turn detector says the user is done. Addressing reads the words, and the model's
   * transcription may trail the audio: a turn without them yet waits for them a moment.
   */
  #endTurn(): void {
    if (!this.#activityOpen || this.#textWait) return;
    if (this.#addressing && this.#turnText.trim() === '') {
      this.#textWait = setTimeout(() => this.#decideTurn(), TRANSCRIPT_WAIT_MS);
      return;
    }
    this.#decideTurn();
  }

  /** Answers the turn if it is meant for the agent. */
  #decideTurn(): void {
    this.#cancelTextWait();
    if (!this.#activityOpen) return;
    const text = this.#turnText.trim();
    this.#turnText = '';
    this.#endOfTurn.reset();
    const addressed =
      !this.#addressing ||
      this.#addressing.isAddressed(text, {
        agentAnsweredAtMs: this.#answeredAtMs,
        turnsSinceAnswer: this.#turnsSinceAnswer,
        answeredText: this.#answeredText,
        participantNames: this.#participantNames(),
        nowMs: performance.now(),
      });
    this.#turnsSinceAnswer += 1;
    this.#io.userTurnEnded(addressed);
    if (!addressed) return; // the activity stays open: what follows joins it, as context
    this.#answeredText = text;
    this.#activityOpen = false;
    this.#io.activityEnd();
  }

  /** Speech over the agent goes to the STT, if there is one, for its words. */
  #hear(samples: Int16Array): void {
    if (!this.#stt) return;
    this.#stt.pushAudio(samples);
    this.#sttAudioMs += (samples.length * 1000) / LIVE_INPUT_SAMPLE_RATE;
  }

  async #listen(stt: SttStream): Promise<void> {
    try {
      for await (const event of stt) {
        if (event.type === 'error') {
          this.#io.error(event.error);
          continue;
        }
        if (event.type !== 'transcript.interim' && event.type !== 'transcript.final') continue;
        // A final of speech before this hold (it settled late) is not this speech's.
        if (event.type === 'transcript.final' && event.endMs !== undefined && event.endMs <= this.#heardFromMs) continue;
        this.#bargeIn.words(event.text, event.type === 'transcript.interim');
      }
    } catch (error) {
      this.#io.error(toError(error));
    }
    // The STT is gone (it failed for good, or the session closed): duration decides from now on.
    this.#bargeIn.wordsLost();
  }

  #cancelTextWait(): void {
    clearTimeout(this.#textWait);
    this.#textWait = undefined;
  }

}
