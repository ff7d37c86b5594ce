import { describe, expect, it } from 'vitest';
import { SpeechSegmenter, type SegmentBoundary } from '../../src/vad/speech-segmenter.js';

const OPTIONS = { activationThreshold: 0.5, deactivationThreshold: 0.35, minSpeechMs: 100, minSilenceMs: 400, prefixPaddingMs: 30 };
const WINDOW_MS = 32;

/** Feeds one probability per 32 ms window and collects the boundaries. */
function segment(probabilities: number[], options = OPTIONS): SegmentBoundary[] {
  const segmenter = new SpeechSegmenter(options);
  const boundaries: SegmentBoundary[] = [];
  probabilities.forEach((probability, index) => {
    const boundary = segmenter.update(probability, index * WINDOW_MS, (index + 1) * WINDOW_MS);
    if (boundary) boundaries.push(boundary);
  });
  return boundaries;
}

const repeat = (probability: number, windows: number) => new Array<number>(windows).fill(probability);

describe('SpeechSegmenter', () => {
  it('starts speech once it has lasted minSpeechMs, dated at its first window less the padding', () => {
    const boundaries = segment([...repeat(0, 10), ...repeat(0.9, 3)]);
    expect(boundaries).toEqual([]); // 96 ms is short of 100
    expect(segment([...repeat(0, 10), ...repeat(0.9, 4)])).toEqual([{ type: 'speech.started', atMs: 10 * WINDOW_MS - 30 }]);
  });

  it('needs the speech windows to be consecutive before it starts', () => {
    expect(segment(repeat(0, 5).concat([0.9, 0.9, 0.9, 0.2, 0.9, 0.9, 0.9, 0.2]))).toEqual([]);
  });

  it('ends speech after minSilenceMs below the deactivation threshold, dated where the silence began', () => {
    const boundaries = segment([...repeat(0.9, 10), ...repeat(0.1, 13)]);
    expect(boundaries).toEqual([
      { type: 'speech.started', atMs: 0 },
      { type: 'speech.ended', atMs: 10 * WINDOW_MS, durationMs: 10 * WINDOW_MS },
    ]);
    // 12 windows (384 ms) of silence are not enough.
    expect(segment([...repeat(0.9, 10), ...repeat(0.1, 12)])).toHaveLength(1);
  });

  it('keeps speaking through windows between the thresholds and restarts the silence on speech', () => {
    const between = segment([...repeat(0.9, 10), ...repeat(0.4, 30)]);
    expect(between).toHaveLength(1);
    const broken = segment([...repeat(0.9, 10), ...repeat(0.1, 10), 0.9, ...repeat(0.1, 10)]);
    expect(broken).toHaveLength(1);
  });

  it('counts silence that began below the deactivation threshold through later in-between windows', () => {
    const boundaries = segment([...repeat(0.9, 10), 0.1, ...repeat(0.4, 12)]);
    expect(boundaries.at(-1)).toEqual({ type: 'speech.ended', atMs: 10 * WINDOW_MS, durationMs: 10 * WINDOW_MS });
  });

  it('never dates a start before the stream began', () => {
    expect(segment(repeat(0.9, 4), { ...OPTIONS, prefixPaddingMs: 500 })).toEqual([{ type: 'speech.started', atMs: 0 }]);
  });
});
