/**
 * Real speech for tests, generated on this machine by Debian's espeak-ng (resampled by sox):
 * `speechPcm('Hello there')` is mono 16-bit PCM at the rate asked for. Generated once per text,
 * voice, speed and rate, and kept in the system's temporary folder, so a run pays for each
 * utterance once. Nothing large is committed; CI installs espeak-ng and sox when missing.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CACHE = join(tmpdir(), 'stream-gemini-agents-speech');

export interface SpeechOptions {
  /** An espeak-ng voice, e.g. `en-us+f3` (a female variant) or `en-gb`; default `en-us`. */
  voice?: string;
  /** Words per minute; default 160. */
  wordsPerMinute?: number;
  /** The PCM rate wanted, in Hz; default 16000. */
  sampleRate?: number;
  /** Where the generated audio is kept; default a folder in the system's temporary folder. */
  cacheDir?: string;
}

/** `text` spoken, as mono 16-bit PCM at `sampleRate`. */
export async function speechPcm(text: string, options: SpeechOptions = {}): Promise<Int16Array> {
  const { voice = 'en-us', wordsPerMinute = 160, sampleRate = 16_000, cacheDir = CACHE } = options;
  return cachedPcm(cacheDir, [text, voice, wordsPerMinute, sampleRate], async (rawFile) => {
    const wav = `${rawFile}.wav`;
    await run('espeak-ng', ['-v', voice, '-s', String(wordsPerMinute), '-w', wav, text]);
    await run('sox', [wav, ...soxRawOutput(sampleRate), rawFile]);
    await rm(wav, { force: true });
  });
}

/** sox's output options for mono 16-bit signed PCM at `sampleRate`, as `speechPcm` returns it. */
export function soxRawOutput(sampleRate: number): string[] {
  return ['-r', String(sampleRate), '-c', '1', '-b', '16', '-e', 'signed-integer', '-t', 'raw'];
}

/**
 * The PCM that `generate` writes (raw mono 16-bit) for `recipe`, made once: the file is named by
 * a hash of the recipe and kept in `cacheDir`, so a changed recipe is a new file, never a stale one.
 */
export async function cachedPcm(cacheDir: string, recipe: unknown, generate: (rawFile: string) => Promise<void>): Promise<Int16Array> {
  const key = createHash('sha256').update(JSON.stringify(recipe)).digest('hex').slice(0, 24);
  const file = join(cacheDir, `${key}.raw`);
  if (!existsSync(file)) {
    await mkdir(cacheDir, { recursive: true });
    const partial = join(cacheDir, `${key}.${process.pid}.raw`);
    await generate(partial);
    await rename(partial, file); // atomic: parallel test files never read half a file
  }
  const bytes = await readFile(file);
  return new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
}

/** `ms` of silence at `sampleRate`. */
export function silencePcm(ms: number, sampleRate = 16_000): Int16Array {
  return new Int16Array(Math.round((ms * sampleRate) / 1000));
}

/**
 * `person` says `text` (espeak-ng, 48 kHz) and then is silent for `silenceMs`: a spoken turn
 * whose end a voice activity detector hears. Resolves when the silence has been played.
 */
export async function speakTurn(person: { playPcm(samples: Int16Array, sampleRate: number): Promise<void> }, text: string, silenceMs = 1_000): Promise<void> {
  await person.playPcm(await speechPcm(text, { sampleRate: 48_000 }), 48_000);
  await person.playPcm(silencePcm(silenceMs, 48_000), 48_000);
}
