/**
 * The way in for video (the Agent's `video` option): one participant's camera or screen share,
 * sampled at one frame per `intervalMs`, encoded as JPEG and sent to the realtime model.
 *
 * Which video: the newest screen share, if anyone shares a screen (it is what people talk about
 * while they share); else the camera of whoever speaks now or spoke last (SpeakerTracker); else
 * the camera followed last (also after a screen share ends); else the first camera published. The choice is made again when a
 * video is published or unpublished, and once per interval, as speakers change.
 *
 * The edge hands over at most one frame per interval; a frame that arrives while the previous
 * one is still encoding is dropped, and a JPEG that would reach the model sooner than
 * `intervalMs` after the last one (encoding times vary) is held until then, because the model's
 * own rate limit would drop it.
 */
import { ValidationError, toError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Connection, VideoSource } from '../edge/edge.js';
import type { RealtimeModel, RealtimeSession } from '../llm/realtime.js';
import { encodeJpeg, type I420Frame } from '../video/index.js';
import type { SpeakerTracker } from './speaker-tracker.js';

export const DEFAULT_VIDEO_INTERVAL_MS = 1_000;

export interface VideoInputOptions {
  connection: Pick<Connection, 'events' | 'videoSources' | 'watchVideo'>;
  session: Pick<RealtimeSession, 'sendVideoFrame'>;
  speakers: Pick<SpeakerTracker, 'speakerOfTurn'>;
  /** At most one frame per this many milliseconds; default 1 000. */
  intervalMs?: number;
  /** Frame → JPEG; default `encodeJpeg` (at most 768 px on the long side, quality 70). */
  encode?: (frame: I420Frame) => Promise<Uint8Array>;
  /** Failures to encode or send; the input goes on with the next frame. */
  onError(error: Error): void;
  logger?: Logger;
}

export interface VideoSettings {
  enabled: boolean;
  intervalMs: number;
}

/**
 * The Agent's `video` and `videoIntervalMs` options, checked. A model that says whether it takes
 * video (a boolean `video` property) decides the default, and `video: true` on an Agent whose
 * model has video off is a configuration error rather than a stream of refused frames.
 */
export function resolveVideoSettings(options: { video?: boolean; videoIntervalMs?: number; llm: RealtimeModel }): VideoSettings {
  const { video, llm } = options;
  const intervalMs = options.videoIntervalMs ?? DEFAULT_VIDEO_INTERVAL_MS;
  if (video !== undefined && typeof video !== 'boolean') throw new ValidationError('video', `must be true or false, got ${String(video)}`);
  if (!Number.isFinite(intervalMs) || intervalMs < 100 || intervalMs > 60_000) {
    throw new ValidationError('videoIntervalMs', `must be a number of milliseconds from 100 to 60 000, got ${String(intervalMs)}`);
  }
  const modelVideo = llm.video;
  if (modelVideo === undefined) return { enabled: video ?? false, intervalMs };
  if (video === true && !modelVideo) {
    throw new ValidationError(
      'video',
      `the realtime model ${llm.provider}/${llm.model} has video input off; turn it on there too (GeminiRealtime({ video: true }) or AGENT_VIDEO=true)`,
    );
  }
  return { enabled: video ?? modelVideo, intervalMs };
}

export class VideoInput {
  readonly #options: VideoInputOptions;
  readonly #intervalMs: number;
  readonly #encode: (frame: I420Frame) => Promise<Uint8Array>;
  /** Published videos by key, in the order they were published. */
  readonly #sources = new Map<string, VideoSource>();
  readonly #unsubscribes: Array<() => void> = [];
  readonly #reselect: NodeJS.Timeout;
  #current: { key: string; stop: () => void } | undefined;
  /** The camera followed last, to come back to after a screen share. */
  #lastCameraKey: string | undefined;
  #encoding = false;
  #lastSentAtMs = Number.NEGATIVE_INFINITY;
  #held: { key: string; jpeg: Uint8Array } | undefined;
  #holdTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: VideoInputOptions) {
    this.#options = options;
    this.#intervalMs = options.intervalMs ?? DEFAULT_VIDEO_INTERVAL_MS;
    this.#encode = options.encode ?? ((frame) => encodeJpeg(frame));
    const { events } = options.connection;
    for (const source of options.connection.videoSources) this.#sources.set(keyOf(source), source);
    this.#unsubscribes.push(
      events.on('video.published', (source) => {
        this.#sources.set(keyOf(source), source);
        this.#select();
      }),
      events.on('video.unpublished', (source) => {
        this.#sources.delete(keyOf(source));
        this.#select();
      }),
      events.on('participant.left', ({ participant }) => {
        for (const [key, source] of this.#sources) {
          if (source.participant.sessionId === participant.sessionId) this.#sources.delete(key);
        }
        this.#select();
      }),
    );
    this.#reselect = setInterval(() => this.#select(), this.#intervalMs);
    this.#select();
  }

  /** The video followed now. */
  get source(): VideoSource | undefined {
    return this.#current && this.#sources.get(this.#current.key);
  }

  /** Stops watching and sending. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#reselect);
    clearTimeout(this.#holdTimer);
    this.#held = undefined;
    for (const unsubscribe of this.#unsubscribes.splice(0)) unsubscribe();
    this.#current?.stop();
    this.#current = undefined;
  }

  #select(): void {
    if (this.#closed) return;
    const chosen = this.#choose();
    const key = chosen && keyOf(chosen);
    if (key === this.#current?.key) return;
    this.#current?.stop();
    this.#current = undefined;
    if (!chosen || !key) return;
    const stop = this.#options.connection.watchVideo(chosen.participant, chosen.kind, {
      intervalMs: this.#intervalMs,
      onFrame: (frame) => this.#onFrame(key, frame),
    });
    this.#current = { key, stop };
    if (chosen.kind === 'video') this.#lastCameraKey = key;
    this.#options.logger?.info({ userId: chosen.participant.userId, kind: chosen.kind }, 'video input follows a new source');
  }

  #choose(): VideoSource | undefined {
    const sources = [...this.#sources.values()];
    const newestScreen = sources.filter((source) => source.kind === 'screen_share').at(-1);
    if (newestScreen) return newestScreen;
    const cameras = sources.filter((source) => source.kind === 'video');
    const speaker = this.#options.speakers.speakerOfTurn(performance.now());
    return (
      (speaker && cameras.find((camera) => camera.participant.sessionId === speaker.sessionId)) ??
      (this.#lastCameraKey !== undefined ? this.#sources.get(this.#lastCameraKey) : undefined) ??
      cameras[0]
    );
  }

  #onFrame(key: string, frame: I420Frame): void {
    if (this.#closed || this.#encoding || key !== this.#current?.key) return;
    this.#encoding = true;
    let encoding: Promise<Uint8Array>;
    try {
      encoding = this.#encode(frame);
    } catch (error) {
      encoding = Promise.reject(error);
    }
    encoding.then(
      (jpeg) => {
        this.#encoding = false;
        this.#send(key, jpeg);
      },
      (error: unknown) => {
        this.#encoding = false;
        if (!this.#closed) this.#options.onError(toError(error));
      },
    );
  }

  /** Sends now, or holds the newest JPEG until the interval since the last one has passed. */
  #send(key: string, jpeg: Uint8Array): void {
    // A frame of a source we no longer follow is stale.
    if (this.#closed || key !== this.#current?.key) return;
    const waitMs = this.#lastSentAtMs + this.#intervalMs - performance.now();
    if (waitMs <= 0) {
      this.#deliver(jpeg);
      return;
    }
    this.#held = { key, jpeg };
    // Timers may fire a fraction of a millisecond early: the held frame is checked again.
    this.#holdTimer ??= setTimeout(() => {
      this.#holdTimer = undefined;
      const held = this.#held;
      this.#held = undefined;
      if (held) this.#send(held.key, held.jpeg);
    }, Math.ceil(waitMs));
  }

  #deliver(jpeg: Uint8Array): void {
    try {
      this.#options.session.sendVideoFrame(jpeg);
      // Read after the send, so our spacing is never shorter than the one the model measures.
      this.#lastSentAtMs = performance.now();
    } catch (error) {
      // The model refuses video (it was created without it): say so once and stop trying.
      if (error instanceof ValidationError && error.path === 'video') this.close();
      this.#options.onError(toError(error));
    }
  }
}

function keyOf(source: VideoSource): string {
  return `${source.kind}/${source.participant.sessionId}`;
}
