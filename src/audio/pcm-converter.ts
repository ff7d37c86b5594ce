/**
 * Brings PCM frames of whatever shape a source delivers (wrtc's RTCAudioSink gives 48 kHz mono,
 * but its first frames can be 16 kHz, and other sources may be stereo) to one mono rate, e.g.
 * 16 kHz for Gemini Live. Keeps one resampler per input rate so each keeps its filter state.
 */
import { AgentsError, ValidationError } from '../core/errors.js';
import { downmixToMono } from './downmix.js';
import { assertInt16Array, assertSampleRate, concatPcm, type PcmFrame } from './pcm.js';
import { createResampler, type Resampler } from './resampler.js';

export class PcmConverter {
  readonly #resamplers = new Map<number, Resampler>();
  #closed = false;

  /** `toRate`: the mono output rate in Hz. */
  constructor(readonly toRate: number) {
    assertSampleRate(toRate, 'toRate');
  }

  /**
   * Mono samples at `toRate` for `frame` (a new array the caller owns; may be empty while the
   * filter fills). A malformed frame throws a ValidationError and changes nothing.
   */
  convert(frame: PcmFrame): Int16Array {
    if (this.#closed) throw new AgentsError('the PCM converter is closed; create a new one', { code: 'CLOSED' });
    if (frame === null || typeof frame !== 'object') throw new ValidationError('frame', 'expected a PcmFrame');
    assertInt16Array(frame.samples, 'frame.samples');
    assertSampleRate(frame.sampleRate, 'frame.sampleRate');
    const mono = downmixToMono(frame.samples, frame.channels ?? 1);
    let resampler = this.#resamplers.get(frame.sampleRate);
    if (!resampler) {
      resampler = createResampler(frame.sampleRate, this.toRate);
      this.#resamplers.set(frame.sampleRate, resampler);
    }
    return resampler.process(mono);
  }

  /** Ends the stream: the samples the filters still hold, then a fresh start. */
  flush(): Int16Array {
    if (this.#closed) return new Int16Array(0);
    return concatPcm([...this.#resamplers.values()].map((resampler) => resampler.flush()));
  }

  /** Forgets filter history (e.g. when the source changes) without emitting it. */
  reset(): void {
    for (const resampler of this.#resamplers.values()) resampler.reset();
  }

  /** Idempotent; `convert` throws afterwards. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const resampler of this.#resamplers.values()) resampler.close();
    this.#resamplers.clear();
  }
}
