/**
 * The fake ElevenLabs voice: a deterministic stand-in for speech. Each character of a text lasts
 * `msPerChar`, sounded as a 220 Hz tone, so a test knows how long any text plays and when each
 * character is heard.
 */

export interface FakeAlignment {
  chars: string[];
  charStartTimesMs: number[];
  charsDurationsMs: number[];
}

export interface FakeVoiceChunk {
  samples: Int16Array;
  /** The characters whose sound starts in this chunk, their times relative to the chunk's start. */
  alignment: FakeAlignment;
}

const FREQUENCY_HZ = 220;
const AMPLITUDE = 8000;

/** The audio of `text` at `sampleRate`, cut into chunks of `chunkMs`. */
export function speakText(text: string, options: { sampleRate: number; msPerChar: number; chunkMs: number }): FakeVoiceChunk[] {
  const { sampleRate, msPerChar, chunkMs } = options;
  const chars = [...text];
  const totalSamples = Math.round((sampleRate * chars.length * msPerChar) / 1000);
  const samplesPerChunk = Math.max(1, Math.round((sampleRate * chunkMs) / 1000));
  const chunks: FakeVoiceChunk[] = [];
  let nextChar = 0;
  for (let start = 0; start < totalSamples; start += samplesPerChunk) {
    const end = Math.min(totalSamples, start + samplesPerChunk);
    const samples = new Int16Array(end - start);
    for (let i = 0; i < samples.length; i++) {
      samples[i] = Math.round(AMPLITUDE * Math.sin((2 * Math.PI * FREQUENCY_HZ * (start + i)) / sampleRate));
    }
    const chunkStartMs = (start / sampleRate) * 1000;
    const chunkEndMs = (end / sampleRate) * 1000;
    const alignment: FakeAlignment = { chars: [], charStartTimesMs: [], charsDurationsMs: [] };
    while (nextChar < chars.length && nextChar * msPerChar < chunkEndMs) {
      alignment.chars.push(chars[nextChar] as string);
      alignment.charStartTimesMs.push(Math.round(nextChar * msPerChar - chunkStartMs));
      alignment.charsDurationsMs.push(msPerChar);
      nextChar++;
    }
    chunks.push({ samples, alignment });
  }
  return chunks;
}
