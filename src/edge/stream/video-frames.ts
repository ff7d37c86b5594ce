/**
 * Participants' cameras and screen shares, as frames.
 *
 * Three jobs, all driven by the video client's participant list:
 * - which videos are published (`publishedTracks`), announced as `video.published` /
 *   `video.unpublished`. The SDK keeps a participant's last stream after they unpublish, so the
 *   stream's presence says nothing; the published list does.
 * - the SFU subscriptions: the SFU sends a video only to clients that ask for it with a size
 *   (what a browser does when it binds a <video> element). While something watches a video we
 *   set that size through the SDK's documented `state.updateParticipantTracks` and push it with
 *   `trackSubscriptionManager.apply`; when the last watch stops we clear it, and the SFU stops
 *   sending.
 * - sampling: a wrtc RTCVideoSink is attached only when a frame is due and removed as soon as
 *   it has delivered one, so the decoded 30 fps stream costs JavaScript one frame per interval
 *   instead of thirty full-size copies a second.
 */
import type { Call, StreamVideoParticipant, SubscriptionChanges, VideoTrackType } from '@stream-io/video-client';
import { toError, ValidationError } from '../../core/errors.js';
import type { EventBus } from '../../core/event-bus.js';
import type { I420Frame } from '../../video/index.js';
import type { ConnectionEvents, Participant, VideoKind, VideoSource, WatchVideoOptions } from '../edge.js';
import { toParticipant } from './participant-tracks.js';
import { webRtc, type RTCVideoSink } from './webrtc-runtime.js';

type VideoClientModule = typeof import('@stream-io/video-client');

interface KindInfo {
  trackType: VideoTrackType;
  stream: 'videoStream' | 'screenShareStream';
  dimension: 'videoDimension' | 'screenShareDimension';
  /** The size asked of the SFU. It picks the nearest simulcast layer; frames reach the model at
   * most 768 px wide, but a shared screen's text needs its full resolution before scaling. */
  requested: { width: number; height: number };
}

const KINDS: Record<VideoKind, KindInfo> = {
  video: { trackType: 'videoTrack', stream: 'videoStream', dimension: 'videoDimension', requested: { width: 1280, height: 720 } },
  screen_share: {
    trackType: 'screenShareTrack',
    stream: 'screenShareStream',
    dimension: 'screenShareDimension',
    requested: { width: 1920, height: 1080 },
  },
};
const VIDEO_KINDS = Object.keys(KINDS) as VideoKind[];

export interface VideoFramesInit {
  sdkCall: Call;
  sdk: VideoClientModule;
  events: EventBus<ConnectionEvents>;
  /** Whether a participant is someone else (not one of the agent's own sessions). */
  isRemote(participant: StreamVideoParticipant): boolean;
}

export class VideoFrames {
  readonly #init: VideoFramesInit;
  /** Published videos by key, in the order they were published. */
  readonly #published = new Map<string, VideoSource>();
  readonly #watches = new Map<string, Set<FrameSampler>>();
  /** Keys whose subscription size we set, so we clear only our own. */
  readonly #requested = new Set<string>();
  #participants: readonly StreamVideoParticipant[] = [];
  #reconcile: NodeJS.Immediate | undefined;
  #applyNeeded = false;
  #closed = false;

  constructor(init: VideoFramesInit) {
    this.#init = init;
  }

  /** The cameras and screen shares published now, oldest first. */
  get sources(): VideoSource[] {
    return [...this.#published.values()];
  }

  /** Applies the SDK's current participant list. */
  sync(list: readonly StreamVideoParticipant[]): void {
    if (this.#closed) return;
    this.#participants = list;
    // Called on every change of any participant (audio levels too): allocate only for news.
    const now = new Map<string, { p: StreamVideoParticipant; kind: VideoKind }>();
    for (const p of list) {
      if (!this.#init.isRemote(p)) continue;
      for (const kind of VIDEO_KINDS) {
        if (p.publishedTracks.includes(this.#trackType(kind))) now.set(keyOf(p.sessionId, kind), { p, kind });
      }
    }
    for (const [key, source] of [...this.#published]) {
      if (now.has(key)) continue;
      this.#published.delete(key);
      this.#init.events.emit('video.unpublished', source);
    }
    for (const [key, { p, kind }] of now) {
      if (this.#published.has(key)) continue;
      const source: VideoSource = { participant: toParticipant(p), kind };
      this.#published.set(key, source);
      // The SDK does not push subscriptions when someone starts publishing; we must.
      if (this.#watches.has(key)) this.#applyNeeded = true;
      this.#init.events.emit('video.published', source);
    }
    for (const [key, samplers] of this.#watches) {
      const track = this.#currentTrack(key);
      for (const sampler of samplers) sampler.setTrack(track);
    }
    if (this.#watches.size > 0 || this.#requested.size > 0) this.#scheduleReconcile();
  }

  watch(participant: Participant, kind: VideoKind, options: WatchVideoOptions): () => void {
    if (!Object.hasOwn(KINDS, kind)) throw new ValidationError('kind', `must be 'video' or 'screen_share', got ${String(kind)}`);
    if (typeof participant?.sessionId !== 'string') throw new ValidationError('participant.sessionId', 'must be a string');
    if (!Number.isFinite(options?.intervalMs) || options.intervalMs < 0) {
      throw new ValidationError('intervalMs', `must be a number of milliseconds >= 0, got ${String(options?.intervalMs)}`);
    }
    if (typeof options.onFrame !== 'function') throw new ValidationError('onFrame', 'must be a function');
    if (this.#closed) return () => {};
    const key = keyOf(participant.sessionId, kind);
    const sampler = new FrameSampler(options.intervalMs, options.onFrame, (error) =>
      this.#init.events.emit('error', { error, event: 'watchVideo' }),
    );
    let samplers = this.#watches.get(key);
    if (!samplers) this.#watches.set(key, (samplers = new Set()));
    samplers.add(sampler);
    sampler.setTrack(this.#currentTrack(key));
    this.#applyNeeded ||= this.#published.has(key);
    this.#scheduleReconcile();
    return () => {
      if (!samplers.delete(sampler)) return;
      sampler.stop();
      if (samplers.size === 0 && this.#watches.get(key) === samplers) this.#watches.delete(key);
      this.#scheduleReconcile();
    };
  }

  /** Stops every sampler and forgets everything, without emitting or touching subscriptions. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#reconcile) clearImmediate(this.#reconcile);
    this.#reconcile = undefined;
    for (const samplers of this.#watches.values()) for (const sampler of samplers) sampler.stop();
    this.#watches.clear();
    this.#published.clear();
    this.#requested.clear();
  }

  #trackType(kind: VideoKind): number {
    const { TrackType } = this.#init.sdk.SfuModels;
    return kind === 'video' ? TrackType.VIDEO : TrackType.SCREEN_SHARE;
  }

  /** The live decoded track of a published video, if the SFU is sending it. */
  #currentTrack(key: string): MediaStreamTrack | undefined {
    if (!this.#published.has(key)) return undefined;
    const { sessionId, kind } = parseKey(key);
    const stream = this.#participants.find((p) => p.sessionId === sessionId)?.[KINDS[kind].stream];
    const track = stream?.getVideoTracks()[0];
    return track && track.readyState !== 'ended' ? track : undefined;
  }

  /**
   * Batches subscription changes to the next turn: changing the SDK's participant state from
   * inside its own `participants$` emission would re-enter `sync`.
   */
  #scheduleReconcile(): void {
    if (this.#closed || this.#reconcile) return;
    this.#reconcile = setImmediate(() => {
      this.#reconcile = undefined;
      if (!this.#closed) this.#reconcileSubscriptions();
    });
  }

  #reconcileSubscriptions(): void {
    const changes: Record<VideoTrackType, SubscriptionChanges> = { videoTrack: {}, screenShareTrack: {} };
    let changed = false;
    for (const key of this.#watches.keys()) {
      const { sessionId, kind } = parseKey(key);
      const p = this.#participants.find((candidate) => candidate.sessionId === sessionId);
      this.#requested.add(key);
      // Set again after a rejoin, when the SDK rebuilds its participants without our size.
      if (!p || p[KINDS[kind].dimension]) continue;
      changes[KINDS[kind].trackType][sessionId] = { dimension: { ...KINDS[kind].requested } };
      changed = true;
    }
    for (const key of [...this.#requested]) {
      if (this.#watches.has(key)) continue;
      this.#requested.delete(key);
      const { sessionId, kind } = parseKey(key);
      if (!this.#participants.find((p) => p.sessionId === sessionId)?.[KINDS[kind].dimension]) continue;
      changes[KINDS[kind].trackType][sessionId] = { dimension: undefined };
      changed = true;
    }
    if (!changed && !this.#applyNeeded) return;
    this.#applyNeeded = false;
    const { sdkCall, sdk } = this.#init;
    for (const trackType of Object.keys(changes) as VideoTrackType[]) {
      if (Object.keys(changes[trackType]).length > 0) sdkCall.state.updateParticipantTracks(trackType, changes[trackType]);
    }
    sdkCall.trackSubscriptionManager.apply(sdk.DebounceType.IMMEDIATE);
  }
}

function keyOf(sessionId: string, kind: VideoKind): string {
  return `${kind}/${sessionId}`;
}

function parseKey(key: string): { sessionId: string; kind: VideoKind } {
  const slash = key.indexOf('/');
  return { kind: key.slice(0, slash) as VideoKind, sessionId: key.slice(slash + 1) };
}

/** What an RTCVideoSink's `frame` event carries. */
interface SinkFrameEvent {
  frame: I420Frame;
}

/**
 * One watch of one video: at most one frame per `intervalMs`, taken from a sink that exists only
 * while a frame is due. Frames are handed over on the next turn of the event loop, never inside
 * wrtc's callback.
 */
class FrameSampler {
  readonly #intervalMs: number;
  readonly #onFrame: (frame: I420Frame) => void;
  readonly #onError: (error: Error) => void;
  #track: MediaStreamTrack | undefined;
  #sink: RTCVideoSink | undefined;
  /** `performance.now()` from which the next frame may be taken. */
  #nextAtMs = 0;
  #wait: NodeJS.Timeout | undefined;
  #delivery: NodeJS.Immediate | undefined;
  #stopped = false;

  constructor(intervalMs: number, onFrame: (frame: I420Frame) => void, onError: (error: Error) => void) {
    this.#intervalMs = intervalMs;
    this.#onFrame = onFrame;
    this.#onError = onError;
  }

  /** Follows a new track (or none, while the video is not published or not yet sent). */
  setTrack(track: MediaStreamTrack | undefined): void {
    if (this.#stopped || track === this.#track) return;
    this.#detach();
    this.#track = track;
    this.#arm();
  }

  stop(): void {
    this.#stopped = true;
    this.#detach();
    this.#track = undefined;
    if (this.#delivery) clearImmediate(this.#delivery);
    this.#delivery = undefined;
  }

  /** Attaches a sink now if a frame is due, else when it will be. */
  #arm(): void {
    if (this.#stopped || !this.#track || this.#sink || this.#wait) return;
    const waitMs = this.#nextAtMs - performance.now();
    if (waitMs > 0) {
      this.#wait = setTimeout(() => {
        this.#wait = undefined;
        this.#arm();
      }, waitMs);
      return;
    }
    try {
      const sink = new (webRtc().RTCVideoSink)(this.#track);
      sink.onframe = (event: SinkFrameEvent) => this.#take(sink, event.frame);
      this.#sink = sink;
    } catch (error) {
      this.#onError(toError(error));
    }
  }

  /** The sink's callback: keep this one frame, drop the sink, schedule the rest. */
  #take(sink: RTCVideoSink, frame: I420Frame): void {
    if (sink !== this.#sink) return; // a frame already queued when the sink was stopped
    this.#sink = undefined;
    sink.stop();
    this.#nextAtMs = performance.now() + this.#intervalMs;
    // wrtc gives each event a fresh buffer today; copying the one frame we keep (a few MB a
    // second at most) makes sure no later frame can write into it.
    const taken: I420Frame = { width: frame.width, height: frame.height, data: frame.data.slice() };
    if (this.#delivery) clearImmediate(this.#delivery);
    this.#delivery = setImmediate(() => {
      this.#delivery = undefined;
      if (this.#stopped) return;
      try {
        this.#onFrame(taken);
      } catch (error) {
        this.#onError(toError(error));
      }
    });
    this.#arm();
  }

  #detach(): void {
    clearTimeout(this.#wait);
    this.#wait = undefined;
    this.#sink?.stop();
    this.#sink = undefined;
  }
}
