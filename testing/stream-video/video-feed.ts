/**
 * A scripted participant's camera or screen share: a wrtc RTCVideoSource fed generated I420
 * frames in real time. A camera shows one solid colour that changes every second; a screen share
 * shows vertical bars in eight colours, shifting every second, under a fine checkerboard like
 * text (busy enough that its JPEGs are far larger than a camera's, so a test can tell them
 * apart). Every subscribed client gets its own track of the one source.
 */
import { RTCVideoSource } from './wrtc.js';

export type FakeVideoKind = 'video' | 'screen_share';

export interface VideoFeedOptions {
  /** Default 320x240 for a camera, 1280x720 for a screen share. */
  width?: number;
  height?: number;
  /** Frames per second; default 15 for a camera, 5 for a screen share. */
  fps?: number;
}

interface Yuv {
  y: number;
  u: number;
  v: number;
}

/** BT.601 limited range: red, green, blue, yellow, cyan, magenta, white, grey. */
const PALETTE: readonly Yuv[] = [
  { y: 81, u: 90, v: 240 },
  { y: 145, u: 54, v: 34 },
  { y: 41, u: 240, v: 110 },
  { y: 210, u: 16, v: 146 },
  { y: 170, u: 166, v: 16 },
  { y: 106, u: 202, v: 222 },
  { y: 235, u: 128, v: 128 },
  { y: 126, u: 128, v: 128 },
];
const BARS = PALETTE.length;

export class VideoFeed {
  readonly kind: FakeVideoKind;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  /** Frames handed to the source so far. */
  framesSent = 0;
  readonly #source: InstanceType<typeof RTCVideoSource>;
  readonly #tracks = new Set<MediaStreamTrack>();
  /** One frame per palette step, built on first use. */
  readonly #frames = new Map<number, Uint8Array>();
  readonly #startMs = performance.now();
  readonly #timer: NodeJS.Timeout;
  #closed = false;

  constructor(kind: FakeVideoKind, options: VideoFeedOptions = {}) {
    const camera = kind === 'video';
    this.kind = kind;
    this.width = options.width ?? (camera ? 320 : 1280);
    this.height = options.height ?? (camera ? 240 : 720);
    this.fps = options.fps ?? (camera ? 15 : 5);
    this.#source = new RTCVideoSource({ isScreencast: !camera });
    this.#timer = setInterval(() => this.#produce(), 1000 / this.fps);
  }

  /** A new track of this feed, for one subscriber. */
  createTrack(): MediaStreamTrack {
    const track = this.#source.createTrack() as unknown as MediaStreamTrack;
    this.#tracks.add(track);
    return track;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    for (const track of this.#tracks) track.stop();
    this.#tracks.clear();
  }

  #produce(): void {
    const step = Math.floor((performance.now() - this.#startMs) / 1000) % BARS;
    let data = this.#frames.get(step);
    if (!data) this.#frames.set(step, (data = this.kind === 'video' ? this.#solid(PALETTE[step]!) : this.#bars(step)));
    this.#source.onFrame({ width: this.width, height: this.height, data });
    this.framesSent++;
  }

  #solid(colour: Yuv): Uint8Array {
    return this.#paint(() => colour);
  }

  #bars(shift: number): Uint8Array {
    const barWidth = Math.ceil(this.width / BARS);
    const data = this.#paint((x) => PALETTE[(Math.floor(x / barWidth) + shift) % BARS]!);
    // A 4-pixel checkerboard on the luma: detail that survives VP8 and costs JPEG bytes.
    for (let row = 0; row < this.height; row++) {
      for (let x = 0; x < this.width; x++) {
        const index = row * this.width + x;
        data[index] = Math.max(16, Math.min(235, data[index]! + (((x >> 2) ^ (row >> 2)) & 1 ? 40 : -40)));
      }
    }
    return data;
  }

  /** An I420 frame whose colour depends on the column (`x` in luma pixels). */
  #paint(colourAt: (x: number) => Yuv): Uint8Array {
    const { width, height } = this;
    const chromaWidth = (width + 1) >> 1;
    const chromaHeight = (height + 1) >> 1;
    const u = width * height;
    const v = u + chromaWidth * chromaHeight;
    const data = new Uint8Array(v + chromaWidth * chromaHeight);
    for (let x = 0; x < width; x++) {
      const { y } = colourAt(x);
      for (let row = 0; row < height; row++) data[row * width + x] = y;
    }
    for (let x = 0; x < chromaWidth; x++) {
      const colour = colourAt(x * 2);
      for (let row = 0; row < chromaHeight; row++) {
        data[u + row * chromaWidth + x] = colour.u;
        data[v + row * chromaWidth + x] = colour.v;
      }
    }
    return data;
  }
}
