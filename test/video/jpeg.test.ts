import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import { encodeJpeg, fitInside } from '../../src/video/index.js';
import { BLUE, GREEN, RED, i420Frame } from './frames.js';

/** Decodes a JPEG back to RGB and reads pixel (x, y). */
async function decode(jpeg: Uint8Array) {
  const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    format: (await sharp(jpeg).metadata()).format,
    pixel: (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3)),
  };
}

/** Each channel within `tolerance` of the expected value (JPEG is lossy). */
function expectColour(actual: number[], expected: [number, number, number], tolerance = 12): void {
  expected.forEach((value, channel) => expect(Math.abs((actual[channel] ?? -999) - value), `channel ${channel} of ${actual}`).toBeLessThanOrEqual(tolerance));
}

describe('encodeJpeg', () => {
  it('keeps a small frame at its size and colour', async () => {
    const jpeg = await encodeJpeg(i420Frame(320, 240, RED));
    expect([jpeg[0], jpeg[1]]).toEqual([0xff, 0xd8]);
    const image = await decode(jpeg);
    expect(image).toMatchObject({ width: 320, height: 240, format: 'jpeg' });
    expectColour(image.pixel(160, 120), [255, 0, 0]);
  });

  it('scales a large frame down to maxSide on its long side, keeping the picture in place', async () => {
    const image = await decode(await encodeJpeg(i420Frame(1920, 1080, RED, BLUE)));
    expect([image.width, image.height]).toEqual([768, 432]);
    expectColour(image.pixel(100, 216), [255, 0, 0]);
    expectColour(image.pixel(668, 216), [0, 0, 255]);

    const portrait = await decode(await encodeJpeg(i420Frame(720, 1280, GREEN), { maxSide: 640 }));
    expect([portrait.width, portrait.height]).toEqual([360, 640]);
    expectColour(portrait.pixel(180, 320), [0, 255, 0], 16);
  });

  it('handles odd sizes', async () => {
    const image = await decode(await encodeJpeg(i420Frame(101, 75, BLUE)));
    expect([image.width, image.height]).toEqual([101, 75]);
    expectColour(image.pixel(50, 37), [0, 0, 255]);
    expect(fitInside(1001, 3, 768)).toEqual({ width: 768, height: 2 });
  });

  it('spends fewer bytes at a lower quality', async () => {
    const frame = i420Frame(640, 480, RED, BLUE);
    // Noise, so the quality setting matters.
    for (let i = 0; i < 640 * 480; i++) frame.data[i] = (frame.data[i]! + ((i * 7919) % 61)) & 0xff;
    const [low, high] = await Promise.all([encodeJpeg(frame, { quality: 20 }), encodeJpeg(frame, { quality: 90 })]);
    expect(low.length).toBeLessThan(high.length);
  });

  it('rejects bad frames and options with a ValidationError', async () => {
    await expect(encodeJpeg({ width: 4, height: 4, data: new Uint8Array(10) })).rejects.toThrow(/needs 24 bytes, got 10/);
    await expect(encodeJpeg({ width: 0, height: 4, data: new Uint8Array(24) })).rejects.toBeInstanceOf(ValidationError);
    await expect(encodeJpeg(i420Frame(4, 4, RED), { quality: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(encodeJpeg(i420Frame(4, 4, RED), { maxSide: 1.5 })).rejects.toBeInstanceOf(ValidationError);
  });
});
