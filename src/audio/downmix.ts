/**
 * Interleaved multi-channel 16-bit PCM to mono, by averaging the channels of each sample frame.
 * Averaging (rather than summing) cannot clip, and keeps a signal present in all channels at
 * its level.
 */
import { ValidationError } from '../core/errors.js';
import { assertInt16Array } from './pcm.js';

/**
 * Mono samples from `interleaved` (L R L R … for stereo). One channel returns `interleaved`
 * itself, not a copy. Throws a ValidationError when `channels` is not a positive integer or the
 * length is not a whole number of sample frames.
 */
export function downmixToMono(interleaved: Int16Array, channels: number): Int16Array {
  assertInt16Array(interleaved, 'interleaved');
  if (!Number.isInteger(channels) || channels < 1) {
    throw new ValidationError('channels', `expected a positive integer channel count, got ${String(channels)}`);
  }
  if (interleaved.length % channels !== 0) {
    throw new ValidationError(
      'interleaved',
      `${interleaved.length} samples is not a whole number of ${channels}-channel frames`,
    );
  }
  if (channels === 1) return interleaved;

  const frames = interleaved.length / channels;
  const mono = new Int16Array(frames);
  if (channels === 2) {
    // The common case (stereo), without the inner loop.
    for (let i = 0, j = 0; i < frames; i++, j += 2) {
      mono[i] = Math.round(((interleaved[j] as number) + (interleaved[j + 1] as number)) / 2);
    }
    return mono;
  }
  for (let i = 0, j = 0; i < frames; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++, j++) sum += interleaved[j] as number;
    mono[i] = Math.round(sum / channels);
  }
  return mono;
}
