/**
 * Pipeline mode as a RealtimeModel: speech-to-text, a text LLM and text-to-speech (and a voice
 * activity detector) composed into one, so the Agent, the worker, the transcript and the
 * metrics work as with Gemini Live, and any provider of each seam plugs in.
 *
 *   const llm = new PipelineModel({
 *     stt: new DeepgramSTT({ apiKey }),
 *     llm: new GeminiLLM({ apiKey: googleKey }),
 *     tts: new ElevenLabsTTS({ apiKey: elevenKey }),
 *     vad: new SileroVAD(),
 *   });
 *   const agent = new Agent({ edge, llm, agentUser, instructions });
 */
import { ValidationError } from '../core/errors.js';
import type { LLM } from '../llm/llm.js';
import type { RealtimeConnectOptions, RealtimeModel, RealtimeSession } from '../llm/realtime.js';
import type { STT } from '../stt/stt.js';
import type { TTS } from '../tts/tts.js';
import { PipelineSession } from './pipeline-session.js';
import type { VAD } from '../vad/vad.js';
import { voiceActivityOf } from './voice-activity.js';

export interface PipelineModelOptions {
  stt: STT;
  llm: LLM;
  tts: TTS;
  /**
   * Voice activity detection on the input (e.g. SileroVAD): quicker barge-in and end of turn
   * than the STT's events alone, which stand in without it.
   */
  vad?: VAD;
  /** The rate the session takes the user's audio at; default 16 000 (what STT models are trained on). */
  inputSampleRate?: number;
  /** The rate of the agent's voice; default 24 000. */
  outputSampleRate?: number;
  /** Wait after the user went silent when the words say the turn is complete; default 500 ms. */
  minEndpointingDelayMs?: number;
  /** Wait after the user went silent otherwise; default 3 000 ms. */
  maxEndpointingDelayMs?: number;
  /**
   * Speech over the agent that stopped without words: how long to wait for them before taking
   * it as a noise and playing on; default 600 ms (see turns/barge-in.ts).
   */
  falseInterruptionTimeoutMs?: number;
  /** Words that never interrupt the agent ("mm-hmm", "yeah", "I see"…); default DEFAULT_BACKCHANNELS. */
  backchannels?: readonly string[];
  /**
   * Start the LLM on the user's settled words while the end of turn is being confirmed, and
   * speak its answer at once if the turn ends with those words (discarded if the user goes on);
   * default true.
   */
  preemptiveGeneration?: boolean;
  /** BCP-47 code for the STT and the TTS; default: theirs. */
  language?: string;
  /** The TTS voice; default: the TTS's. */
  voice?: string;
}

export class PipelineModel implements RealtimeModel {
  readonly provider = 'pipeline';
  readonly model: string;
  readonly video = false;
  readonly #options: PipelineModelOptions;

  constructor(options: PipelineModelOptions) {
    for (const seam of ['stt', 'llm', 'tts'] as const) {
      if (!options[seam]) throw new ValidationError(seam, 'is required: pipeline mode needs speech-to-text, a text LLM and text-to-speech');
    }
    this.#options = options;
    this.model = `${options.stt.provider}+${options.llm.model}+${options.tts.provider}`;
  }

  async connect(options: RealtimeConnectOptions = {}): Promise<RealtimeSession> {
    options.signal?.throwIfAborted();
    const { vad, inputSampleRate = 16_000, outputSampleRate = 24_000, ...settings } = this.#options;
    return new PipelineSession({
      ...settings,
      voiceActivity: vad ? (handlers) => voiceActivityOf(vad, inputSampleRate, handlers) : undefined,
      instructions: options.instructions,
      tools: options.tools,
      addressing: options.addressing,
      inputSampleRate,
      outputSampleRate,
      signal: options.signal,
    });
  }
}
