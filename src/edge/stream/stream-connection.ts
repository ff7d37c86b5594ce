/**
 * A joined Stream Video call, seen through the video client's documented state: participants
 * and their tracks from `call.state.participants$` (ParticipantTracks), the connection from
 * `callingState$`, the end of the call from the coordinator's `call.ended` and the SFU's
 * `callEnded`; the agent's voice through AudioPublishing, which survives reconnects; cameras
 * and screen shares as sampled frames through VideoFrames.
 */
import type { Call } from '@stream-io/video-client';
import { EdgeError, toError } from '../../core/errors.js';
import { EventBus } from '../../core/event-bus.js';
import type { Logger } from '../../core/logger.js';
import type {
  AudioOutput,
  Connection,
  ConnectionEvents,
  ConnectionState,
  EdgeCall,
  Participant,
  VideoKind,
  VideoSource,
  WatchVideoOptions,
} from '../edge.js';
import { AudioPublishing } from './audio-publishing.js';
import { ParticipantTracks, toParticipant } from './participant-tracks.js';
import { VideoFrames } from './video-frames.js';

/** Stream's video client module, as the edge loads it on first use. */
export type VideoClientModule = typeof import('@stream-io/video-client');

export interface StreamConnectionInit {
  call: EdgeCall;
  sdkCall: Call;
  sdk: VideoClientModule;
  agentUserId: string;
  logger: Logger;
  /** Called once when the connection has closed (the edge forgets it). */
  onClosed?: () => void;
}

export class StreamConnection implements Connection {
  readonly call: EdgeCall;
  readonly events: EventBus<ConnectionEvents>;
  readonly #sdkCall: Call;
  readonly #sdk: VideoClientModule;
  readonly #log: Logger;
  readonly #onClosed: (() => void) | undefined;
  readonly #tracks: ParticipantTracks;
  readonly #publishing: AudioPublishing;
  readonly #video: VideoFrames;
  readonly #unsubscribes: Array<() => void> = [];
  #state: ConnectionState = 'connected';
  #watching = false;
  #watchStart: NodeJS.Immediate | undefined;
  #callEnded = false;
  #closing: Promise<void> | undefined;

  constructor(init: StreamConnectionInit) {
    this.call = init.call;
    this.#sdkCall = init.sdkCall;
    this.#sdk = init.sdk;
    this.#log = init.logger;
    this.#onClosed = init.onClosed;
    this.events = new EventBus<ConnectionEvents>({
      onUnhandledError: (error, event) => this.#log.warn({ err: error, event }, 'a connection event listener failed'),
    });
    this.#tracks = new ParticipantTracks(this.events, init.agentUserId);
    this.#publishing = new AudioPublishing(init.sdkCall, init.sdk, init.call.cid, init.logger);
    this.#video = new VideoFrames({
      sdkCall: init.sdkCall,
      sdk: init.sdk,
      events: this.events,
      isRemote: (p) => this.#tracks.isRemote(p),
    });
  }

  /**
   * Starts following the call. The first sync runs on the next turn of the event loop, so
   * listeners attached right after `join()` resolves hear about everyone already in the call.
   */
  start(): void {
    this.#watchStart = setImmediate(() => {
      this.#watchStart = undefined;
      if (this.#closing) return;
      this.#watching = true;
      this.#watch();
    });
  }

  get state(): ConnectionState {
    return this.#state;
  }

  get participants(): readonly Participant[] {
    if (this.#watching) return this.#tracks.participants;
    return this.#sdkCall.state.participants.filter((p) => this.#tracks.isRemote(p)).map(toParticipant);
  }

  publishAudio(): Promise<AudioOutput> {
    if (this.#closing) return Promise.reject(new EdgeError('This connection is closed; join the call again to publish audio.', { code: 'EDGE_CLOSED' }));
    return this.#publishing.output();
  }

  get videoSources(): readonly VideoSource[] {
    return this.#video.sources;
  }

  watchVideo(participant: Participant, kind: VideoKind, options: WatchVideoOptions): () => void {
    return this.#video.watch(participant, kind, options);
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  #watch(): void {
    const { state } = this.#sdkCall;
    const participants = state.participants$.subscribe((list) => {
      this.#tracks.sync(list);
      this.#video.sync(list);
    });
    const callingState = state.callingState$.subscribe((value) => this.#onCallingState(value));
    this.#unsubscribes.push(
      () => participants.unsubscribe(),
      () => callingState.unsubscribe(),
      this.#sdkCall.on('call.ended', () => this.#onCallEnded('ended')),
      this.#sdkCall.on('callEnded', (event) => {
        const reason = this.#sdk.SfuModels.CallEndedReason[event.reason];
        this.#onCallEnded(reason ? reason.toLowerCase() : 'ended');
      }),
    );
  }

  #onCallingState(value: string): void {
    let next = toConnectionState(value);
    // The SDK rejoins through its joining state: still reconnecting, as far as the agent can tell.
    if (next === 'connecting' && this.#state === 'reconnecting') next = 'reconnecting';
    if (!next || next === this.#state) return;
    const previous = this.#state;
    this.#state = next;
    this.#log.info({ cid: this.call.cid, state: next, previous }, 'connection state changed');
    this.events.emit('connection.state', { state: next, previous });
    if (next === 'connected' && previous === 'reconnecting') {
      this.#publishing.restore().catch((error: unknown) => this.events.emit('error', { error: toError(error), event: 'connection.state' }));
    }
    // The SDK left on its own (call ended, removed, reconnection given up): release our side too.
    if (next === 'disconnected') void this.close();
  }

  #onCallEnded(reason: string): void {
    if (this.#callEnded) return;
    this.#callEnded = true;
    this.#log.info({ cid: this.call.cid, reason }, 'call ended');
    this.events.emit('call.ended', { reason });
  }

  async #shutdown(): Promise<void> {
    if (this.#watchStart) clearImmediate(this.#watchStart);
    this.#watchStart = undefined;
    for (const unsubscribe of this.#unsubscribes.splice(0)) unsubscribe();
    this.#tracks.close();
    this.#video.close();
    if (this.#sdkCall.state.callingState !== this.#sdk.CallingState.LEFT) {
      await this.#sdkCall.leave({ message: 'agent left the call' }).catch((thrown: unknown) => {
        this.#log.warn({ err: toError(thrown), cid: this.call.cid }, 'leaving the call failed; its resources are released anyway');
      });
    }
    // After leaving: the SDK has no SFU client left, so this only stops our track and pacer.
    await this.#publishing.close();
    if (this.#state !== 'disconnected') {
      const previous = this.#state;
      this.#state = 'disconnected';
      this.events.emit('connection.state', { state: 'disconnected', previous });
    }
    this.#onClosed?.();
  }
}

/** The SDK's calling states (a string enum) as connection states; others are not transitions. */
function toConnectionState(callingState: string): ConnectionState | undefined {
  switch (callingState) {
    case 'joining':
      return 'connecting';
    case 'joined':
      return 'connected';
    case 'reconnecting':
    case 'migrating':
    case 'offline':
      return 'reconnecting';
    case 'reconnecting-failed':
      return 'failed';
    case 'left':
    case 'idle':
      return 'disconnected';
    default:
      return undefined;
  }
}
