/**
 * Camera and screen-share frames for a realtime model: wrtc's I420 frames become RGB, a JPEG
 * encoder (a library's, injected) compresses them, and at most one frame per interval is sent.
 *
 * The JPEG encode is not written here: pass `encodeJpeg`, e.g. with sharp
 *   (rgb) => sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } }).jpeg({ quality: 75 }).toBuffer()
 * sharp encodes on libuv's thread pool, so the audio hot path on the main thread never waits
 * for it; a pure-JS encoder (jpeg-js) would block it for tens of ms per frame.
 */

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

export type JpegEncoder = (image: RgbImage) => Promise<Uint8Array>;

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

/**
 * Samples a frame stream down to one JPEG per `intervalMs` (1 fps by default, what the Live
 * API takes). Frames arriving sooner, or while the previous one is still encoding, are
 * dropped before any conversion, so a 30 fps camera costs one conversion a second.
 */
export class VideoFrameSampler {
  readonly #intervalMs: number;
  readonly #encode: JpegEncoder;
  readonly #send: (jpeg: Uint8Array) => void;
  readonly #onError: (error: unknown) => void;
  readonly #now: () => number;
  #lastAtMs = Number.NEGATIVE_INFINITY;
  #encoding = false;
  #closed = false;

  constructor(options: {
    encodeJpeg: JpegEncoder;
    send: (jpeg: Uint8Array) => void;
    intervalMs?: number;
    onError?: (error: unknown) => void;
    now?: () => number;
  }) {
    this.#intervalMs = options.intervalMs ?? 1_000;
    this.#encode = options.encodeJpeg;
    this.#send = options.send;
    this.#onError = options.onError ?? (() => {});
    this.#now = options.now ?? (() => performance.now());
  }

  /** Offers a frame; returns true if it was taken for encoding. */
  push(frame: I420Frame): boolean {
    const nowMs = this.#now();
    if (this.#closed || this.#encoding || nowMs - this.#lastAtMs < this.#intervalMs) return false;
    this.#lastAtMs = nowMs;
    this.#encoding = true;
    let image: RgbImage;
    try {
      image = i420ToRgb(frame);
    } catch (error) {
      this.#encoding = false;
      this.#onError(error);
      return false;
    }
    this.#encode(image).then(
      (jpeg) => {
        this.#encoding = false;
        if (this.#closed) return;
        try {
          this.#send(jpeg);
        } catch (error) {
          this.#onError(error);
        }
      },
      (error: unknown) => {
        this.#encoding = false;
        this.#onError(error);
      },
    );
    return true;
  }

  close(): void {
    this.#closed = true;
  }
}
