import { describe, expect, it } from 'vitest';
import { i420ToRgb, type I420Frame } from '../../src/video/index.js';

/** A solid-colour I420 frame. */
function solid(width: number, height: number, y: number, u: number, v: number): I420Frame {
  const luma = width * height;
  const chroma = ((width + 1) >> 1) * ((height + 1) >> 1);
  const data = new Uint8Array(luma + 2 * chroma);
  data.fill(y, 0, luma);
  data.fill(u, luma, luma + chroma);
  data.fill(v, luma + chroma);
  return { width, height, data };
}

describe('i420ToRgb', () => {
  it('converts BT.601 limited-range colours', () => {
    const pixel = (frame: I420Frame) => Array.from(i420ToRgb(frame).data.subarray(0, 3));
    expect(pixel(solid(2, 2, 16, 128, 128))).toEqual([0, 0, 0]);
    expect(pixel(solid(2, 2, 235, 128, 128))).toEqual([255, 255, 255]);
    const red = pixel(solid(2, 2, 81, 90, 240));
    expect(red[0]).toBeGreaterThan(250);
    expect(red[1]).toBeLessThan(5);
    expect(red[2]).toBeLessThan(5);
  });

  it('handles odd sizes and rejects short buffers', () => {
    const image = i420ToRgb(solid(3, 3, 128, 128, 128));
    expect(image.data.length).toBe(27);
    expect(() => i420ToRgb({ width: 4, height: 4, data: new Uint8Array(10) })).toThrow(RangeError);
  });
});
