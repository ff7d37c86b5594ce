/**
 * What the fake Cartesia "speaks": a deterministic tone per piece of transcript, `msPerCharacter`
 * long per character, with word timestamps placed on the characters of each word. Pure functions,
 * so tests can compute the audio and timings they expect.
 */

/** The output rates Cartesia's raw format accepts (the SDK's `RawOutputFormat.sample_rate`). */
export const CARTESIA_SAMPLE_RATES = [8000, 16000, 22050, 24000, 44100, 48000] as const;

export interface SynthesizedPiece {
  samples: Int16Array;
  /** Words with their start and end in seconds from the start of the context's audio. */
  words: string[];
  start: number[];
  end: number[];
}

/** The tone of the `index`th piece of a context: 220, 260, … 500 Hz, then again. */
export function pieceFrequencyHz(index: number): number {
  return 220 + 40 * (index % 8);
}

/** Samples for `text` at `sampleRate`: exactly round(characters × msPerCharacter × rate / 1000). */
export function pieceSampleCount(text: string, sampleRate: number, msPerCharacter: number): number {
  return Math.round((text.length * msPerCharacter * sampleRate) / 1000);
}

/**
 * The audio and word timestamps of one piece that starts `offsetSamples` into the context's
 * audio. A word spans its own characters; the spaces between words are silence in the timings
 * (the tone plays on, as breath noise would).
 */
export function synthesizePiece(
  text: string,
  options: { sampleRate: number; msPerCharacter: number; offsetSamples: number; pieceIndex: number },
): SynthesizedPiece {
  const { sampleRate, msPerCharacter, offsetSamples } = options;
  const samples = new Int16Array(pieceSampleCount(text, sampleRate, msPerCharacter));
  const frequencyHz = pieceFrequencyHz(options.pieceIndex);
  for (let i = 0; i < samples.length; i++) {
    samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * frequencyHz * (offsetSamples + i)) / sampleRate));
  }
  const offsetSeconds = offsetSamples / sampleRate;
  const secondsPerCharacter = msPerCharacter / 1000;
  const words: string[] = [];
  const start: number[] = [];
  const end: number[] = [];
  for (const match of text.matchAll(/\S+/g)) {
    const at = match.index ?? 0;
    words.push(match[0]);
    start.push(offsetSeconds + at * secondsPerCharacter);
    end.push(offsetSeconds + (at + match[0].length) * secondsPerCharacter);
  }
  return { samples, words, start, end };
}

/** Little-endian bytes of the samples, base64 (how a chunk's `data` carries pcm_s16le). */
export function pcmToBase64(samples: Int16Array): string {
  return Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength).toString('base64');
}
