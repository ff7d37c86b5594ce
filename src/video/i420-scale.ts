/**
 * Scales an I420 frame with sharp (libvips), one plane at a time. The work runs on libuv's
 * thread pool, so a 4K screen share costs the main thread nothing but the copies sharp makes;
 * converting it to RGB at full size in JavaScript would block the audio path for ~100 ms.
 */
import type { I420Frame } from './frame.js';
import { loadSharp } from './sharp.js';

/** The frame resized to exactly `width` x `height` (Lanczos, the quality screen text needs). */
export async function scaleI420(frame: I420Frame, width: number, height: number): Promise<I420Frame> {
  const { width: sourceWidth, height: sourceHeight, data } = frame;
  const sourceChroma = { width: (sourceWidth + 1) >> 1, height: (sourceHeight + 1) >> 1 };
  const chroma = { width: (width + 1) >> 1, height: (height + 1) >> 1 };
  const lumaSize = sourceWidth * sourceHeight;
  const chromaSize = sourceChroma.width * sourceChroma.height;
  const sharp = await loadSharp();
  const [y, u, v] = await Promise.all([
    scalePlane(sharp, data.subarray(0, lumaSize), { width: sourceWidth, height: sourceHeight }, { width, height }),
    scalePlane(sharp, data.subarray(lumaSize, lumaSize + chromaSize), sourceChroma, chroma),
    scalePlane(sharp, data.subarray(lumaSize + chromaSize, lumaSize + 2 * chromaSize), sourceChroma, chroma),
  ]);
  const scaled = new Uint8Array(y.length + u.length + v.length);
  scaled.set(y, 0);
  scaled.set(u, y.length);
  scaled.set(v, y.length + u.length);
  return { width, height, data: scaled };
}

type Sharp = Awaited<ReturnType<typeof loadSharp>>;

interface Size {
  width: number;
  height: number;
}

function scalePlane(sharp: Sharp, plane: Uint8Array, from: Size, to: Size): Promise<Buffer> {
  return (
    sharp(plane, { raw: { ...from, channels: 1 } })
      .resize(to.width, to.height, { fit: 'fill' })
      // Keep one band: without this libvips hands back the grey plane as three sRGB channels.
      .toColourspace('b-w')
      .raw()
      .toBuffer()
  );
}
