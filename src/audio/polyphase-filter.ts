/**
 * Designs the anti-aliasing / anti-imaging low-pass filter for a rational rate change
 * `fromRate → toRate` (= up by L, down by M) and splits it into L polyphase branches.
 *
 * The prototype is a Kaiser-windowed sinc at the virtual rate `fromRate × L`, cut off (−6 dB)
 * at the lower rate's Nyquist frequency. Its passband ends at 87.5 % of that Nyquist frequency
 * (7 kHz for 16 kHz, 10.5 kHz for 24 kHz) and its stopband starts at the mirror image of the
 * passband edge (9 kHz for 16 kHz, 13.5 kHz for 24 kHz): the first frequency that would fold
 * onto the passband when decimating, or the first image of it when interpolating. Nothing
 * aliases into the passband, and the filter needs half the taps of one whose stopband starts at
 * Nyquist (the price: a little aliasing inside the 7–8 kHz transition band, where speech has
 * little energy). Designs are cached: each ratio is designed once per process.
 */
import { ValidationError } from '../core/errors.js';

/** A filter bank ready for the streaming loop in resampler.ts. */
export interface PolyphaseFilter {
  /** Interpolation factor L (toRate / gcd). */
  readonly upFactor: number;
  /** Decimation factor M (fromRate / gcd). */
  readonly downFactor: number;
  /** Taps in each branch. */
  readonly tapsPerPhase: number;
  /**
   * Branch p occupies `[p * tapsPerPhase, (p + 1) * tapsPerPhase)`, stored time-reversed so the
   * inner loop walks both the coefficients and the input history forwards.
   */
  readonly coefficients: Float32Array;
  /** Centre of the prototype (its group delay) in prototype samples, (taps - 1) / 2. */
  readonly centerTap: number;
  /**
   * One branch (L = 1, pure decimation) whose coefficients mirror each other, as a linear-phase
   * FIR's do: the streaming loop can add each pair of mirrored inputs first and multiply once.
   */
  readonly symmetric: boolean;
}

/** Stopband attenuation, in dB: well past the 40 dB goal, at the CPU cost measured in resampler.ts. */
const STOPBAND_ATTENUATION_DB = 70;
/** Passband edge as a fraction of the lower rate's Nyquist frequency. */
const PASSBAND_FRACTION = 0.875;
/** More branches than this means an exotic ratio (e.g. 8001 → 48000) whose table would be megabytes. */
const MAX_PHASES = 1024;

const cache = new Map<string, PolyphaseFilter>();

/** The filter for `fromRate → toRate`, designed on first use. Rates are integers in Hz. */
export function polyphaseFilterFor(fromRate: number, toRate: number): PolyphaseFilter {
  const key = `${fromRate}>${toRate}`;
  let filter = cache.get(key);
  if (!filter) {
    filter = designPolyphaseFilter(fromRate, toRate);
    cache.set(key, filter);
  }
  return filter;
}

function designPolyphaseFilter(fromRate: number, toRate: number): PolyphaseFilter {
  const divisor = gcd(fromRate, toRate);
  const upFactor = toRate / divisor;
  const downFactor = fromRate / divisor;
  if (upFactor > MAX_PHASES) {
    throw new ValidationError(
      'toRate',
      `resampling ${fromRate} Hz to ${toRate} Hz needs ${upFactor} filter phases (at most ${MAX_PHASES}); use standard rates such as 16000, 24000, 44100 or 48000`,
    );
  }

  const prototypeRate = fromRate * upFactor;
  const nyquist = Math.min(fromRate, toRate) / 2;
  const passbandHz = nyquist * PASSBAND_FRACTION;
  const stopbandHz = 2 * nyquist - passbandHz;
  const transitionHz = stopbandHz - passbandHz;
  const cutoff = nyquist / prototypeRate; // cycles per prototype sample

  // Kaiser's estimates for window length and shape from attenuation and transition width.
  const attenuation = STOPBAND_ATTENUATION_DB;
  const beta = attenuation > 50 ? 0.1102 * (attenuation - 8.7) : 0.5842 * (attenuation - 21) ** 0.4 + 0.07886 * (attenuation - 21);
  let taps = Math.ceil((attenuation - 7.95) / (2.285 * 2 * Math.PI * (transitionHz / prototypeRate))) + 1;
  if (taps % 2 === 0) taps += 1; // odd: the centre lands on a sample, so the delay is whole
  const tapsPerPhase = Math.ceil(taps / upFactor);
  const centerTap = (taps - 1) / 2;

  const prototype = new Float64Array(tapsPerPhase * upFactor); // zero-padded past `taps`
  const besselBeta = besselI0(beta);
  for (let k = 0; k < taps; k++) {
    const offset = k - centerTap;
    const x = 2 * cutoff * offset;
    const sinc = offset === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    const r = offset / centerTap;
    const window = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / besselBeta;
    prototype[k] = 2 * cutoff * sinc * window;
  }

  // Each branch is normalised to unity DC gain, so a constant input stays exactly constant
  // (otherwise the branches' tiny gain differences would add a tone at the branch rate).
  const coefficients = new Float32Array(tapsPerPhase * upFactor);
  for (let phase = 0; phase < upFactor; phase++) {
    let sum = 0;
    for (let t = 0; t < tapsPerPhase; t++) sum += prototype[phase + t * upFactor] as number;
    for (let t = 0; t < tapsPerPhase; t++) {
      // Reversed: the last coefficient of the branch multiplies the newest input sample.
      coefficients[phase * tapsPerPhase + (tapsPerPhase - 1 - t)] = (prototype[phase + t * upFactor] as number) / sum;
    }
  }
  // With one branch the filter is the (odd-length, symmetric) prototype itself. Mirrored taps
  // are made bit-identical, so folding them changes nothing but the order of the additions.
  const symmetric = upFactor === 1;
  if (symmetric) {
    for (let t = 0; t < tapsPerPhase >> 1; t++) coefficients[tapsPerPhase - 1 - t] = coefficients[t] as number;
  }
  return { upFactor, downFactor, tapsPerPhase, coefficients, centerTap, symmetric };
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Zeroth-order modified Bessel function of the first kind (power series; converges fast for β < 20). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const halfX = x / 2;
  for (let k = 1; k < 50; k++) {
    term *= (halfX / k) ** 2;
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
}
