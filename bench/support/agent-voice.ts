/**
 * The agent's voice as a person in the call hears it: the frames the fake SFU received on the
 * agent's published track (48 kHz, 10 ms each, with their arrival time), read as voiced or
 * silent.
 *
 * Both fakes voice the agent as a steady tone of amplitude 8 000 (RMS about 5 700: ElevenLabs'
 * 220 Hz, Gemini Live's 440 Hz); held or idle, the pacer sends digital silence, which Opus
 * decodes to RMS near 0. Frames in between are the codec's fade at a cut (one or two frames).
 * `VOICED_RMS` sits at a tenth of the tone's RMS (-20 dB): a frame at or above it is the agent
 * speaking, below it is the pause. `rmsHistogram` shows the split in each run's data.
 */
import { rms, type AudioRecording, type RecordedFrame } from '../../testing/stream-video/index.js';

export const VOICED_RMS = 570;

export const isVoiced = (frame: RecordedFrame): boolean => rms(frame.samples) >= VOICED_RMS;

/** The first frame that arrived after `afterMs` (performance.now()) and satisfies `test`. */
export function firstFrameAfter(recording: AudioRecording, afterMs: number, test: (frame: RecordedFrame) => boolean): RecordedFrame | undefined {
  const frames = recording.frames;
  for (let i = firstIndexAfter(frames, afterMs); i < frames.length; i++) {
    if (test(frames[i]!)) return frames[i];
  }
  return undefined;
}

/** Resolves with the first voiced frame after `afterMs` once `count` voiced frames in a row arrived. */
export async function voiceStarted(recording: AudioRecording, afterMs: number, timeoutMs: number, count = 3): Promise<RecordedFrame> {
  let found: RecordedFrame | undefined;
  await recording.waitFor(
    (r) => {
      const frames = r.frames;
      let run = 0;
      for (let i = firstIndexAfter(frames, afterMs); i < frames.length; i++) {
        run = isVoiced(frames[i]!) ? run + 1 : 0;
        if (run === count) {
          found = frames[i - count + 1];
          return true;
        }
      }
      return false;
    },
    timeoutMs,
    'the agent’s voice on its published track',
  );
  return found!;
}

/** performance.now() of the last voiced frame received (undefined: none yet). */
export function lastVoicedAtMs(recording: AudioRecording): number | undefined {
  const frames = recording.frames;
  for (let i = frames.length - 1; i >= 0; i--) if (isVoiced(frames[i]!)) return frames[i]!.receivedAtMs;
  return undefined;
}

/** Counts of frames by RMS band, since `afterMs`: the evidence for `VOICED_RMS`. */
export function rmsHistogram(recording: AudioRecording, afterMs = 0): Record<string, number> {
  const bands = [10, 100, 570, 2000, 5000, Number.POSITIVE_INFINITY];
  const labels = ['<10', '10-100', '100-570', '570-2000', '2000-5000', '>=5000'];
  const counts = Object.fromEntries(labels.map((label) => [label, 0]));
  const frames = recording.frames;
  for (let i = firstIndexAfter(frames, afterMs); i < frames.length; i++) {
    const value = rms(frames[i]!.samples);
    counts[labels[bands.findIndex((band) => value < band)]!]! += 1;
  }
  return counts;
}

function firstIndexAfter(frames: readonly RecordedFrame[], afterMs: number): number {
  let low = 0;
  let high = frames.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (frames[middle]!.receivedAtMs <= afterMs) low = middle + 1;
    else high = middle;
  }
  return low;
}
