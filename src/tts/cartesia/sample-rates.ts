/**
 * The rates Cartesia's raw output takes (the SDK's `RawOutputFormat.sample_rate`). A caller's rate
 * in this list is asked for as it is, so the audio needs no resampling; any other rate is asked
 * for at the next rate above it (48 kHz at most) and resampled down.
 */
export const CARTESIA_OUTPUT_RATES = [8000, 16000, 22050, 24000, 44100, 48000] as const;

/** The rate to ask Cartesia for, to deliver `sampleRate`. */
export function serviceSampleRateFor(sampleRate: number): number {
  return CARTESIA_OUTPUT_RATES.find((rate) => rate >= sampleRate) ?? 48000;
}
