/**
 * PCM frames and the small conversions every audio path needs.
 *
 * All audio in this framework is signed 16-bit PCM (`Int16Array`, native order in memory,
 * little-endian on the wire), mono unless `channels` says otherwise. WebRTC (wrtc) works in
 * 10 ms frames at 48 kHz; Gemini Live takes 16 kHz and returns 24 kHz.
 */
import { endianness } from 'node:os';
import { ValidationError } from '../core/errors.js';

/** A block of interleaved 16-bit PCM. `samples.length` is a multiple of `channels`. */
export interface PcmFrame {
  samples: Int16Array;
  /** Samples per second per channel, in Hz. */
  sampleRate: number;
  channels: number;
}

/** WebRTC's audio frame size: wrtc's RTCAudioSource.onData takes exactly this much per call. */
export const FRAME_DURATION_MS = 10;

/** The rates this framework moves audio at: WebRTC, Gemini Live output, Gemini Live input. */
export const WEBRTC_SAMPLE_RATE = 48_000;
export const GEMINI_OUTPUT_SAMPLE_RATE = 24_000;
export const GEMINI_INPUT_SAMPLE_RATE = 16_000;

/** Lowest and highest rates accepted anywhere in this module, in Hz. */
export const MIN_SAMPLE_RATE = 8_000;
export const MAX_SAMPLE_RATE = 192_000;

// Int16Array views over wire bytes are only valid when memory order is the wire order.
const IS_LITTLE_ENDIAN = endianness() === 'LE';

/** Throws a ValidationError unless `sampleRate` is an integer rate in Hz this module handles. */
export function assertSampleRate(sampleRate: unknown, path = 'sampleRate'): asserts sampleRate is number {
  if (
    typeof sampleRate !== 'number' ||
    !Number.isInteger(sampleRate) ||
    sampleRate < MIN_SAMPLE_RATE ||
    sampleRate > MAX_SAMPLE_RATE
  ) {
    throw new ValidationError(
      path,
      `expected an integer sample rate in Hz between ${MIN_SAMPLE_RATE} and ${MAX_SAMPLE_RATE}, got ${String(sampleRate)}`,
    );
  }
}

/** Throws a ValidationError unless `samples` is an Int16Array (16-bit PCM). */
export function assertInt16Array(samples: unknown, path = 'samples'): asserts samples is Int16Array {
  if (!(samples instanceof Int16Array)) {
    const got = samples === null ? 'null' : typeof samples === 'object' ? samples.constructor.name : typeof samples;
    throw new ValidationError(path, `expected an Int16Array of 16-bit PCM samples, got ${got}`);
  }
}

/**
 * Samples in one 10 ms frame per channel at `sampleRate` (480 at 48 kHz, 240 at 24 kHz,
 * 160 at 16 kHz). Throws when 10 ms is not a whole number of samples (11.025 kHz, for one):
 * such a rate cannot be framed for WebRTC.
 */
export function samplesPer10Ms(sampleRate: number): number {
  assertSampleRate(sampleRate);
  if (sampleRate % 100 !== 0) {
    throw new ValidationError('sampleRate', `10 ms at ${sampleRate} Hz is not a whole number of samples; use a multiple of 100 Hz`);
  }
  return sampleRate / 100;
}

/** How long `sampleCount` interleaved samples last, in ms. */
export function durationMs(sampleCount: number, sampleRate: number, channels = 1): number {
  return (sampleCount / channels / sampleRate) * 1000;
}

/** How long a frame lasts, in ms. */
export function frameDurationMs(frame: PcmFrame): number {
  return durationMs(frame.samples.length, frame.sampleRate, frame.channels);
}

/** How many samples per channel last `ms` at `sampleRate` (rounded down). */
export function samplesForMs(ms: number, sampleRate: number): number {
  return Math.floor((ms * sampleRate) / 1000);
}

/** `sampleCount` samples of digital silence. */
export function silence(sampleCount: number): Int16Array {
  return new Int16Array(sampleCount);
}

/**
 * The samples as little-endian bytes. On little-endian hosts (x86, ARM) this is a view over
 * the same memory, not a copy: do not reuse `samples` while the Buffer is in use.
 */
export function int16ToBuffer(samples: Int16Array): Buffer {
  if (IS_LITTLE_ENDIAN) return Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  const bytes = Buffer.allocUnsafe(samples.byteLength);
  for (let i = 0; i < samples.length; i++) bytes.writeInt16LE(samples[i] as number, i * 2);
  return bytes;
}

/**
 * Little-endian 16-bit PCM bytes as samples. A view over the same memory when the host is
 * little-endian and the bytes are 2-byte aligned (the usual case for Buffers), otherwise a copy.
 * An odd byte count is a ValidationError: half a sample means the stream is corrupt or was cut.
 */
export function bufferToInt16(bytes: Uint8Array): Int16Array {
  if (bytes.byteLength % 2 !== 0) {
    throw new ValidationError('bytes', `16-bit PCM needs an even number of bytes, got ${bytes.byteLength}`);
  }
  const length = bytes.byteLength / 2;
  if (IS_LITTLE_ENDIAN && bytes.byteOffset % 2 === 0) return new Int16Array(bytes.buffer, bytes.byteOffset, length);
  const samples = new Int16Array(length);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < length; i++) samples[i] = view.getInt16(i * 2, true);
  return samples;
}

/** Samples as base64 of little-endian bytes: the form Gemini Live's `inlineData` carries. */
export function int16ToBase64(samples: Int16Array): string {
  return int16ToBuffer(samples).toString('base64');
}

/** Base64 of little-endian 16-bit PCM (Gemini Live's `inlineData.data`) as samples. */
export function base64ToInt16(base64: string): Int16Array {
  return bufferToInt16(Buffer.from(base64, 'base64'));
}

/** The blocks of mono 16-bit PCM one after the other, in one new array. */
export function concatPcm(blocks: readonly Int16Array[]): Int16Array {
  const out = new Int16Array(blocks.reduce((total, block) => total + block.length, 0));
  let offset = 0;
  for (const block of blocks) {
    out.set(block, offset);
    offset += block.length;
  }
  return out;
}
