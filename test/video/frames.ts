/** I420 test frames: solid colours and left/right halves, in BT.601 limited range. */
import type { I420Frame } from '../../src/video/index.js';

export interface Yuv {
  y: number;
  u: number;
  v: number;
}

export const RED: Yuv = { y: 81, u: 90, v: 240 };
export const BLUE: Yuv = { y: 41, u: 240, v: 110 };
export const GREEN: Yuv = { y: 145, u: 54, v: 34 };

/** A frame whose left half is `left` and right half `right` (one colour if `right` is omitted). */
export function i420Frame(width: number, height: number, left: Yuv, right: Yuv = left): I420Frame {
  const chromaWidth = (width + 1) >> 1;
  const chromaHeight = (height + 1) >> 1;
  const data = new Uint8Array(width * height + 2 * chromaWidth * chromaHeight);
  const u = width * height;
  const v = u + chromaWidth * chromaHeight;
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) data[row * width + col] = (col < width / 2 ? left : right).y;
  }
  for (let row = 0; row < chromaHeight; row++) {
    for (let col = 0; col < chromaWidth; col++) {
      const colour = col < chromaWidth / 2 ? left : right;
      data[u + row * chromaWidth + col] = colour.u;
      data[v + row * chromaWidth + col] = colour.v;
    }
  }
  return { width, height, data };
}
