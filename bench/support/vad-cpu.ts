/**
 * The CPU one voice activity detection stream costs: SileroVAD on 48 kHz input, as WebRTC
 * delivers it (resampled to 16 kHz, scored in 32 ms windows), in % of one core per real-time
 * stream. Speech and silence alternate, pushed in 10 ms frames as fast as the detector keeps up
 * (it is waited for every half second of audio, so no window is dropped), and the process's CPU
 * time (`process.cpuUsage`, every thread) is divided by the audio's duration. The model is
 * loaded and warmed up before the window opens.
 *
 *   npx tsx bench/support/vad-cpu.ts   # prints {"vad_cpu_pct_per_stream": …}
 */
import { fileURLToPath } from 'node:url';
import { SileroVAD } from '../../src/vad/silero/index.js';
import { silencePcm, speechPcm } from '../../test/support/speech.js';

const SAMPLE_RATE = 48_000;
const FRAME = SAMPLE_RATE / 100;
const SENTENCES = [
  'Hello, what is the weather like in Amsterdam today?',
  'I would like to book a table for two at eight tonight.',
  'Can you remind me to call my sister tomorrow morning?',
];

export interface VadCpuOptions {
  /** Audio measured, in seconds; default 60. */
  seconds?: number;
}

export async function measureVadCpu(options: VadCpuOptions = {}): Promise<{ vad_cpu_pct_per_stream: number }> {
  const seconds = options.seconds ?? 60;
  const audio = await conversationAudio(seconds);
  const vad = new SileroVAD();
  await vad.load();
  try {
    await pushAll(vad, audio.subarray(0, 5 * SAMPLE_RATE)); // warm-up: JIT, first inferences
    const before = process.cpuUsage();
    const { speechStarts, droppedWindows } = await pushAll(vad, audio);
    const cpu = process.cpuUsage(before);
    if (droppedWindows > 0) throw new Error(`the detector dropped ${droppedWindows} windows: the figure would be too low`);
    if (speechStarts === 0) throw new Error('the detector heard no speech: the audio is not what the figure is meant for');
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const audioMs = (audio.length / SAMPLE_RATE) * 1000;
    return { vad_cpu_pct_per_stream: Math.round((cpuMs / audioMs) * 100 * 1000) / 1000 };
  } finally {
    await vad.close();
  }
}

/** Pushes `audio` into a new stream in 10 ms frames, catching up every 500 ms of audio. */
async function pushAll(vad: SileroVAD, audio: Int16Array): Promise<{ speechStarts: number; droppedWindows: number }> {
  const stream = vad.stream({ sampleRate: SAMPLE_RATE });
  let speechStarts = 0;
  stream.on('speech.started', () => {
    speechStarts++;
  });
  for (let offset = 0, index = 0; offset < audio.length; offset += FRAME, index++) {
    stream.push(audio.subarray(offset, offset + FRAME));
    if (index % 50 === 49) await stream.idle();
  }
  await stream.idle();
  const { droppedWindows } = stream;
  stream.close();
  return { speechStarts, droppedWindows };
}

/** `seconds` of sentences, each followed by 1.5 s of silence, repeated. */
async function conversationAudio(seconds: number): Promise<Int16Array> {
  const pieces: Int16Array[] = [];
  for (const sentence of SENTENCES) {
    pieces.push(await speechPcm(sentence, { sampleRate: SAMPLE_RATE, voice: 'en-us+f3' }), silencePcm(1500, SAMPLE_RATE));
  }
  const out = new Int16Array(seconds * SAMPLE_RATE);
  for (let offset = 0, index = 0; offset < out.length; index++) {
    const piece = pieces[index % pieces.length] as Int16Array;
    const take = Math.min(piece.length, out.length - offset);
    out.set(piece.subarray(0, take), offset);
    offset += take;
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await measureVadCpu()));
}
