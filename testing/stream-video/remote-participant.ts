/**
 * A scripted remote participant ("the human") in a fake call: it joins, publishes one
 * microphone track fed in real time, plays tones or PCM on cue (silence in between, like an
 * open microphone), mutes and unmutes that microphone, and leaves. Every client joined to the
 * call receives its track. It can also
 * publish a camera and a screen share (`publishVideo`), which clients receive once they
 * subscribe, as from the real SFU.
 */
import { randomUUID } from 'node:crypto';
import type { FrameProducer } from './audio-clock.js';
import { stretch } from './audio-recording.js';
import { VideoFeed, type FakeVideoKind, type VideoFeedOptions } from './video-feed.js';
import { RTCAudioSource } from './wrtc.js';

const SAMPLE_RATE = 48_000;
const FRAME_SAMPLES = 480;

export interface RemoteParticipantInit {
  userId: string;
  name?: string;
  image?: string;
}

/** Queued audio, generated as it is played (an hour of tone costs nothing up front). */
interface Segment {
  /** Samples (48 kHz) still to play. */
  remaining: number;
  /** Writes the next `count` samples into `frame` at `at`. */
  fill(frame: Int16Array, at: number, count: number): void;
  done: () => void;
}

export class RemoteParticipant implements FrameProducer {
  readonly userId: string;
  readonly name: string;
  readonly image: string;
  readonly sessionId = `remote-${randomUUID()}`;
  readonly trackLookupPrefix = randomUUID().slice(0, 8);
  /** The microphone: every subscriber gets its own track of this one source. */
  readonly source = new RTCAudioSource();
  readonly joinedAt = new Date();
  /** The camera and screen share published now. */
  readonly videos = new Map<FakeVideoKind, VideoFeed>();
  readonly #queue: Segment[] = [];
  readonly #onLeave: (participant: RemoteParticipant) => void;
  readonly #onVideo: ((participant: RemoteParticipant, kind: FakeVideoKind, published: boolean) => void) | undefined;
  readonly #onMicrophone: ((participant: RemoteParticipant, published: boolean) => void) | undefined;
  #left = false;
  #muted = false;

  constructor(
    init: RemoteParticipantInit,
    onLeave: (participant: RemoteParticipant) => void,
    onVideo?: (participant: RemoteParticipant, kind: FakeVideoKind, published: boolean) => void,
    onMicrophone?: (participant: RemoteParticipant, published: boolean) => void,
  ) {
    this.userId = init.userId;
    this.name = init.name ?? init.userId;
    this.image = init.image ?? '';
    this.#onLeave = onLeave;
    this.#onVideo = onVideo;
    this.#onMicrophone = onMicrophone;
  }

  get left(): boolean {
    return this.#left;
  }

  /** Whether the microphone is muted: unpublished, and sending nothing. */
  get muted(): boolean {
    return this.#muted;
  }

  /**
   * Mutes the microphone as the Stream SDK does: it stops sending at once (whatever is still
   * queued is dropped, mid-word if need be) and clients see trackUnpublished (USER_MUTED).
   */
  mute(): void {
    if (this.#left || this.#muted) return;
    this.#muted = true;
    this.stop();
    this.#onMicrophone?.(this, false);
  }

  /** Publishes the microphone again: clients see trackPublished, and it sends (silence until played). */
  unmute(): void {
    if (this.#left || !this.#muted) return;
    this.#muted = false;
    this.#onMicrophone?.(this, true);
  }

  /** Plays a sine tone; resolves when its last sample has been sent. */
  playTone(frequencyHz: number, durationMs: number, amplitude = 8000): Promise<void> {
    const step = (2 * Math.PI * frequencyHz) / SAMPLE_RATE;
    let index = 0;
    return this.#enqueue(Math.round((durationMs * SAMPLE_RATE) / 1000), (frame, at, count) => {
      for (let i = 0; i < count; i++, index++) frame[at + i] = Math.round(amplitude * Math.sin(step * index));
    });
  }

  /** Plays mono 16-bit PCM at any rate; resolves when its last sample has been sent. */
  playPcm(samples: Int16Array, sampleRate: number): Promise<void> {
    const pcm = sampleRate === SAMPLE_RATE ? samples.slice() : stretch(samples, sampleRate, SAMPLE_RATE);
    let offset = 0;
    return this.#enqueue(pcm.length, (frame, at, count) => {
      frame.set(pcm.subarray(offset, offset + count), at);
      offset += count;
    });
  }

  /** Drops whatever is still queued (the pending plays resolve). */
  stop(): void {
    for (const segment of this.#queue.splice(0)) segment.done();
  }

  /**
   * Starts publishing a camera ('video') or a screen share: every client sees trackPublished
   * and is sent the video once it subscribes. Publishing a kind again returns the same feed.
   */
  publishVideo(kind: FakeVideoKind = 'video', options: VideoFeedOptions = {}): VideoFeed {
    if (this.#left) throw new Error(`${this.userId} has left the call`);
    let feed = this.videos.get(kind);
    if (feed) return feed;
    this.videos.set(kind, (feed = new VideoFeed(kind, options)));
    this.#onVideo?.(this, kind, true);
    return feed;
  }

  /** Stops publishing a camera or screen share: clients see trackUnpublished and lose the track. */
  unpublishVideo(kind: FakeVideoKind = 'video'): void {
    const feed = this.videos.get(kind);
    if (!feed) return;
    this.videos.delete(kind);
    this.#onVideo?.(this, kind, false);
    feed.close();
  }

  /** Stops the video feeds without telling anyone: the fake is shutting down. */
  closeMedia(): void {
    for (const feed of this.videos.values()) feed.close();
    this.videos.clear();
  }

  /** Leaves the call: every client sees participantLeft and loses the track. */
  leave(): void {
    if (this.#left) return;
    this.#left = true;
    this.stop();
    this.#onLeave(this);
    this.closeMedia();
  }

  produceFrame(): void {
    if (this.#muted) return;
    const frame = new Int16Array(FRAME_SAMPLES);
    let filled = 0;
    while (filled < FRAME_SAMPLES && this.#queue.length > 0) {
      const segment = this.#queue[0] as Segment;
      const take = Math.min(FRAME_SAMPLES - filled, segment.remaining);
      segment.fill(frame, filled, take);
      segment.remaining -= take;
      filled += take;
      if (segment.remaining <= 0) {
        this.#queue.shift();
        segment.done();
      }
    }
    this.source.onData({ samples: frame, sampleRate: SAMPLE_RATE });
  }

  #enqueue(remaining: number, fill: Segment['fill']): Promise<void> {
    if (this.#left) return Promise.reject(new Error(`${this.userId} has left the call`));
    if (this.#muted) return Promise.reject(new Error(`${this.userId} has muted the microphone`));
    return new Promise((resolve) => this.#queue.push({ remaining, fill, done: resolve }));
  }
}
