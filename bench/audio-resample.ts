/**
 * Resampler benchmark: the project's polyphase FIR against @alexanderolsen/libsamplerate-js,
 * on the WebRTC → Gemini path (one 48 kHz mono stream to 16 kHz in 10 ms chunks) and the
 * Gemini → WebRTC path (24 kHz to 48 kHz in 40 ms chunks).
 *
 * Prints a table, then one JSON line: CPU per second of audio (as % of one core), alias
 * rejection of a 10 kHz tone and level of a 1 kHz tone through 48k→16k, heap per instance,
 * and each figure's ratio to libsamplerate's SINC_FASTEST measured in the same run.
 *
 *   npx tsx bench/audio-resample.ts
 */
import LibSampleRate from '@alexanderolsen/libsamplerate-js';
import { createResampler } from '../src/audio/resampler.js';
import { ratioDb, rms, tone, toneAmplitude } from '../test/audio/signals.js';

type ConvertChunk = (chunk: Int16Array) => Int16Array;
interface Candidate {
  name: string;
  make: (fromRate: number, toRate: number) => Promise<{ convert: ConvertChunk; close: () => void }>;
}

// The package is UMD (CommonJS), so its names come through the default import.
const { ConverterType, create } = LibSampleRate;

const AUDIO_SECONDS = 20;
const ROUNDS = 5;

const candidates: Candidate[] = [
  {
    name: 'polyphase-fir',
    make: async (fromRate, toRate) => {
      const resampler = createResampler(fromRate, toRate);
      return { convert: (chunk) => resampler.process(chunk), close: () => resampler.close() };
    },
  },
  libsamplerate('libsamplerate-sinc-fastest', ConverterType.SRC_SINC_FASTEST),
  libsamplerate('libsamplerate-sinc-medium', ConverterType.SRC_SINC_MEDIUM_QUALITY),
];

function libsamplerate(name: string, converterType: (typeof ConverterType)[keyof typeof ConverterType]): Candidate {
  return {
    name,
    make: async (fromRate, toRate) => {
      const src = await create(1, fromRate, toRate, { converterType });
      // Reused buffers, as a careful caller would: the library works in Float32 in [-1, 1).
      let floats = new Float32Array(0);
      let out = new Float32Array(0);
      const frames = { frames: 0 };
      return {
        convert: (chunk) => {
          if (floats.length !== chunk.length) floats = new Float32Array(chunk.length);
          const outCapacity = Math.ceil((chunk.length * toRate) / fromRate) + 16;
          if (out.length < outCapacity) out = new Float32Array(outCapacity);
          for (let i = 0; i < chunk.length; i++) floats[i] = (chunk[i] as number) / 32768;
          src.full(floats, out, frames);
          const result = new Int16Array(frames.frames);
          for (let i = 0; i < frames.frames; i++) result[i] = Math.max(-32768, Math.min(32767, Math.round((out[i] as number) * 32768)));
          return result;
        },
        close: () => src.destroy(),
      };
    },
  };
}

/** Best-of-rounds CPU milliseconds to convert one second of audio. */
async function cpuMsPerAudioSecond(candidate: Candidate, fromRate: number, toRate: number, chunkMs: number): Promise<number> {
  const input = tone(440, fromRate, AUDIO_SECONDS * 1000, 8000);
  const chunkSize = (fromRate * chunkMs) / 1000;
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const { convert, close } = await candidate.make(fromRate, toRate);
    const started = process.cpuUsage();
    for (let offset = 0; offset < input.length; offset += chunkSize) convert(input.subarray(offset, offset + chunkSize));
    const used = process.cpuUsage(started);
    close();
    best = Math.min(best, (used.user + used.system) / 1000 / AUDIO_SECONDS);
  }
  return best;
}

/** Level change of a tone through 48k→16k, in dB (RMS of the steady middle). */
async function toneGainDb(candidate: Candidate, frequencyHz: number): Promise<number> {
  const input = tone(frequencyHz, 48_000, 1000, 10_000);
  const { convert, close } = await candidate.make(48_000, 16_000);
  const chunks: Int16Array[] = [];
  for (let offset = 0; offset < input.length; offset += 480) chunks.push(convert(input.subarray(offset, offset + 480)));
  close();
  const output = Int16Array.from(chunks.flatMap((c) => Array.from(c)));
  const from = 1600;
  const to = output.length - 1600;
  if (frequencyHz < 8000) {
    return ratioDb(toneAmplitude(output, frequencyHz, 16_000, from, to), toneAmplitude(input, frequencyHz, 48_000, 4800, 43_200));
  }
  // Floored at half an LSB: −83 dB here means the output rounded to digital silence.
  return ratioDb(Math.max(rms(output, from, to), 0.5), rms(input, 4800, 43_200));
}

async function heapBytesPerInstance(candidate: Candidate): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  const instances = [];
  for (let i = 0; i < 4; i++) instances.push(await candidate.make(48_000, 16_000));
  const after = process.memoryUsage();
  for (const instance of instances) instance.close();
  const used = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
  return Math.max(0, Math.round(used / instances.length));
}

const results: Record<string, Record<string, number>> = {};
for (const candidate of candidates) {
  results[candidate.name] = {
    cpuPercent48kTo16k: (await cpuMsPerAudioSecond(candidate, 48_000, 16_000, 10)) / 10,
    cpuPercent24kTo48k: (await cpuMsPerAudioSecond(candidate, 24_000, 48_000, 40)) / 10,
    alias10kHzDb: await toneGainDb(candidate, 10_000),
    level1kHzDb: await toneGainDb(candidate, 1000),
    heapBytesPerInstance: await heapBytesPerInstance(candidate),
  };
}

const baseline = results['libsamplerate-sinc-fastest'] as Record<string, number>;
const fir = results['polyphase-fir'] as Record<string, number>;
console.table(results);
console.log(
  JSON.stringify({
    bench: 'audio-resample',
    baseline: 'libsamplerate-sinc-fastest',
    results,
    ratios: {
      cpu48kTo16k: (fir.cpuPercent48kTo16k as number) / (baseline.cpuPercent48kTo16k as number),
      cpu24kTo48k: (fir.cpuPercent24kTo48k as number) / (baseline.cpuPercent24kTo48k as number),
      heapPerInstance: (fir.heapBytesPerInstance as number) / Math.max(1, baseline.heapBytesPerInstance as number),
    },
  }),
);
