/**
 * One decoded video frame as a JPEG, the way realtime models take images (Gemini Live: about
 * one a second). Frames larger than `maxSide` are scaled down first, in I420, by sharp; the
 * I420 → RGB conversion then runs on at most `maxSide`² pixels (a few ms), and sharp encodes.
 * Everything heavy runs on libuv's thread pool, so the audio path keeps its timing.
 */
import { ValidationError } from '../core/errors.js';
import { assertI420Frame, i420ToRgb, type I420Frame } from './frame.js';
import { scaleI420 } from './i420-scale.js';
import { loadSharp } from './sharp.js';

export interface JpegOptions {
  /** The longest side of the JPEG, in pixels; larger frames are scaled down to it. Default 768. */
  maxSide?: number;
  /** JPEG quality, 1–100. Default 70: small frames that still show text on a shared screen. */
  quality?: number;
}

export const DEFAULT_JPEG_MAX_SIDE = 768;
export const DEFAULT_JPEG_QUALITY = 70;

/** Encodes `frame` as a baseline JPEG. Bad input throws a ValidationError and starts no work. */
export async function encodeJpeg(frame: I420Frame, options: JpegOptions = {}): Promise<Uint8Array> {
  const maxSide = options.maxSide ?? DEFAULT_JPEG_MAX_SIDE;
  const quality = options.quality ?? DEFAULT_JPEG_QUALITY;
  if (!Number.isInteger(maxSide) || maxSide < 16 || maxSide > 8192) {
    throw new ValidationError('maxSide', `must be an integer number of pixels from 16 to 8192, got ${String(maxSide)}`);
  }
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
    throw new ValidationError('quality', `must be an integer from 1 to 100, got ${String(quality)}`);
  }
  assertI420Frame(frame);
  const { width, height } = fitInside(frame.width, frame.height, maxSide);
  const sized = width === frame.width && height === frame.height ? frame : await scaleI420(frame, width, height);
  const rgb = i420ToRgb(sized);
  const sharp = await loadSharp();
  return sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } })
    .jpeg({ quality })
    .toBuffer();
}

/** The size with the same aspect ratio whose longer side is at most `maxSide`. */
export function fitInside(width: number, height: number, maxSide: number): { width: number; height: number } {
  const longest = Math.max(width, height);
  if (longest <= maxSide) return { width, height };
  const scale = maxSide / longest;
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}
