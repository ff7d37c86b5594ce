/**
 * Decoded video frames as WebRTC delivers them (I420: planar Y, then U, then V, chroma at half
 * resolution rounded up), their checks, and the conversion to RGB that image encoders take.
 */
import { ValidationError } from '../core/errors.js';

/** A decoded video frame as `@roamhq/wrtc`'s RTCVideoSink delivers it: planar Y, then U, then V. */
export interface I420Frame {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface RgbImage {
  width: number;
  height: number;
  /** Packed 8-bit R, G, B per pixel, row by row. */
  data: Uint8Array;
}

/**
 * Converts I420 (YUV 4:2:0, BT.601 limited range, as WebRTC decoders output) to packed RGB.
 * Odd widths and heights are handled the way I420 stores them: chroma planes round up.
 */
export function i420ToRgb(frame: I420Frame): RgbImage {
  const { width, height, data } = frame;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`i420ToRgb: width and height must be positive integers, got ${width}x${height}`);
  }
  const chromaWidth = (width + 1) >> 1;
  const chromaHeight = (height + 1) >> 1;
  const lumaSize = width * height;
  const chromaSize = chromaWidth * chromaHeight;
  if (data.length < lumaSize + 2 * chromaSize) {
    throw new RangeError(`i420ToRgb: ${width}x${height} needs ${lumaSize + 2 * chromaSize} bytes of I420, got ${data.length}`);
  }
  const rgb = new Uint8Array(lumaSize * 3);
  const uPlane = lumaSize;
  const vPlane = lumaSize + chromaSize;
  let out = 0;
  for (let row = 0; row < height; row++) {
    const chromaRow = (row >> 1) * chromaWidth;
    for (let col = 0; col < width; col++) {
      const y = 1.164 * ((data[row * width + col] ?? 0) - 16);
      const chroma = chromaRow + (col >> 1);
      const u = (data[uPlane + chroma] ?? 128) - 128;
      const v = (data[vPlane + chroma] ?? 128) - 128;
      rgb[out++] = clampByte(y + 1.596 * v);
      rgb[out++] = clampByte(y - 0.392 * u - 0.813 * v);
      rgb[out++] = clampByte(y + 2.017 * u);
    }
  }
  return { width, height, data: rgb };
}

function clampByte(value: number): number {
  return value < 0 ? 0 : value > 255 ? 255 : Math.round(value);
}


/** Bytes of an I420 frame of this size. */
export function i420ByteLength(width: number, height: number): number {
  return width * height + 2 * ((width + 1) >> 1) * ((height + 1) >> 1);
}

/** Throws a ValidationError naming what is wrong with `frame`; changes nothing. */
export function assertI420Frame(frame: I420Frame, path = 'frame'): void {
  const { width, height, data } = frame ?? {};
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new ValidationError(path, `width and height must be positive integers, got ${String(width)}x${String(height)}`);
  }
  if (!(data instanceof Uint8Array)) throw new ValidationError(`${path}.data`, 'must be a Uint8Array of I420 bytes');
  const needed = i420ByteLength(width, height);
  if (data.length < needed) {
    throw new ValidationError(`${path}.data`, `a ${width}x${height} I420 frame needs ${needed} bytes, got ${data.length}`);
  }
}
