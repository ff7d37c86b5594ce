/**
 * The fake SFU's side of one joined client session: its signal socket, the peer that receives
 * what the client publishes (recorded per user), and the peer that sends the client every
 * scripted participant's microphone, and the videos it subscribed to. Survives a dropped socket so the client can fast-reconnect
 * into the same session, as the real SFU allows within `fastReconnectDeadlineSeconds`.
 */
import { randomUUID } from 'node:crypto';
import { SfuEvents, SfuModels } from '@stream-io/video-client';
import type { WebSocket } from 'ws';
import type { AudioRecording } from './audio-recording.js';
import { PendingCandidates, waitForIceGathering, type PeerConnection } from './peer.js';
import type { RemoteParticipant } from './remote-participant.js';
import type { VideoFeed } from './video-feed.js';
import { mediaStreamWithId, RTCAudioSink, RTCPeerConnection } from './wrtc.js';

/** An event the SFU sends a client (its `eventPayload` oneof). */
export type SfuEventPayload = SfuEvents.SfuEvent['eventPayload'];
type Sender = ReturnType<PeerConnection['addTrack']>;

/** How long the fake waits for the client's SendAnswer before it stops waiting (and moves on). */
const ANSWER_TIMEOUT_MS = 5_000;

/** A video a client asked for with UpdateSubscriptions. */
export interface VideoSubscription {
  /** The publisher's session. */
  sessionId: string;
  trackType: SfuModels.TrackType;
}

/** A video to send to the client: whose, which kind, and the feed to take a track from. */
export interface VideoToSend {
  remote: RemoteParticipant;
  trackType: SfuModels.TrackType;
  feed: VideoFeed;
}

export interface SfuSessionInit {
  sessionId: string;
  userId: string;
  name: string;
  image: string;
  /** Where this user's published audio is recorded (shared by all of the user's sessions). */
  recording: AudioRecording;
}

export class SfuSession {
  readonly sessionId: string;
  readonly userId: string;
  readonly name: string;
  readonly image: string;
  readonly trackLookupPrefix = randomUUID().slice(0, 8);
  publishedTracks: SfuModels.TrackType[] = [];
  /** Signal sockets this session has had: 1 + the number of fast reconnects. */
  socketCount = 0;
  /** The videos the client asked for last (UpdateSubscriptions), published or not. */
  requestedVideo: VideoSubscription[] = [];
  /** Every UpdateSubscriptions the client sent, in order. */
  readonly subscriptionUpdates: VideoSubscription[][] = [];

  readonly #recording: AudioRecording;
  readonly #subscriber: PeerConnection = new RTCPeerConnection();
  readonly #subscriberCandidates = new PendingCandidates(this.#subscriber);
  readonly #senders = new Map<string, Sender>();
  /** Video senders by `<publisher session>:<track type>`. */
  readonly #videoSenders = new Map<string, Sender>();
  #publisher: PeerConnection | undefined;
  #publisherCandidates: PendingCandidates | undefined;
  readonly #sinks: InstanceType<typeof RTCAudioSink>[] = [];
  #ws: WebSocket | undefined;
  #subscriberNegotiation: Promise<void> = Promise.resolve();
  #publisherNegotiation: Promise<unknown> = Promise.resolve();
  #negotiationId = 0;
  #awaitingAnswer: { negotiationId: number; resolve: () => void } | undefined;
  #closed = false;

  constructor(init: SfuSessionInit) {
    this.sessionId = init.sessionId;
    this.userId = init.userId;
    this.name = init.name;
    this.image = init.image;
    this.#recording = init.recording;
  }

  get connected(): boolean {
    return this.#ws !== undefined;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The session as the SFU describes participants. */
  toParticipant(): SfuModels.Participant {
    return SfuModels.Participant.create({
      userId: this.userId,
      sessionId: this.sessionId,
      name: this.name,
      image: this.image,
      trackLookupPrefix: this.trackLookupPrefix,
      publishedTracks: [...this.publishedTracks],
      roles: ['user'],
    });
  }

  attach(ws: WebSocket): void {
    this.#ws = ws;
    this.socketCount++;
  }

  detach(ws: WebSocket): void {
    if (this.#ws === ws) this.#ws = undefined;
  }

  /** Kills the signal socket without a close handshake, as a network failure would. */
  dropSocket(): void {
    this.#ws?.terminate();
    this.#ws = undefined;
  }

  send(eventPayload: SfuEventPayload): void {
    const ws = this.#ws;
    if (!ws || ws.readyState !== ws.OPEN) return;
    ws.send(SfuEvents.SfuEvent.toBinary(SfuEvents.SfuEvent.create({ eventPayload })));
  }

  /** SetPublisher: answers the client's publisher offer (first, renegotiation or ICE restart). */
  answerPublisher(offerSdp: string): Promise<string> {
    const run = async () => {
      const pc = this.#publisher ?? this.#createPublisher();
      await pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
      await this.#publisherCandidates?.flush();
      await pc.setLocalDescription(await pc.createAnswer());
      await waitForIceGathering(pc);
      return pc.localDescription?.sdp ?? '';
    };
    const result = this.#publisherNegotiation.then(run, run);
    this.#publisherNegotiation = result.catch(() => undefined);
    return result;
  }

  async addCandidate(peer: 'publisher' | 'subscriber', candidate: RTCIceCandidateInit): Promise<void> {
    if (peer === 'subscriber') return this.#subscriberCandidates.add(candidate);
    // Candidates can overtake SetPublisher: keep them until the publisher peer exists.
    if (!this.#publisher) this.#createPublisher();
    await this.#publisherCandidates?.add(candidate);
  }

  /** SendAnswer: completes the subscriber negotiation the fake started. */
  async acceptSubscriberAnswer(sdp: string, negotiationId: number): Promise<void> {
    await this.#subscriber.setRemoteDescription({ type: 'answer', sdp });
    await this.#subscriberCandidates.flush();
    if (this.#awaitingAnswer?.negotiationId === negotiationId) this.#awaitingAnswer.resolve();
  }

  /** Starts sending the participant's microphone to this client. */
  addRemoteTrack(remote: RemoteParticipant): Promise<void> {
    if (this.#closed || this.#senders.has(remote.sessionId)) return Promise.resolve();
    // The client finds the participant of a track by the stream id `<trackLookupPrefix>:<type>`.
    const stream = mediaStreamWithId(`${remote.trackLookupPrefix}:TRACK_TYPE_AUDIO`);
    const track = remote.source.createTrack();
    stream.addTrack(track);
    this.#senders.set(remote.sessionId, this.#subscriber.addTrack(track, stream));
    return this.renegotiateSubscriber();
  }

  removeRemoteTrack(remote: RemoteParticipant): Promise<void> {
    const sender = this.#senders.get(remote.sessionId);
    if (!sender || this.#closed) return Promise.resolve();
    this.#senders.delete(remote.sessionId);
    sender.track?.stop();
    this.#subscriber.removeTrack(sender);
    return this.renegotiateSubscriber();
  }

  /** Sends the client exactly these videos (adding and removing tracks) in one renegotiation. */
  setVideoTracks(wanted: readonly VideoToSend[]): Promise<void> {
    if (this.#closed) return Promise.resolve();
    const keyOf = (sessionId: string, trackType: SfuModels.TrackType) => `${sessionId}:${trackType}`;
    const keys = new Set(wanted.map(({ remote, trackType }) => keyOf(remote.sessionId, trackType)));
    let changed = false;
    for (const [key, sender] of [...this.#videoSenders]) {
      if (keys.has(key)) continue;
      this.#videoSenders.delete(key);
      sender.track?.stop();
      this.#subscriber.removeTrack(sender);
      changed = true;
    }
    for (const { remote, trackType, feed } of wanted) {
      const key = keyOf(remote.sessionId, trackType);
      if (this.#videoSenders.has(key)) continue;
      // As for audio: the stream id `<trackLookupPrefix>:TRACK_TYPE_VIDEO` names the participant and kind.
      const stream = mediaStreamWithId(`${remote.trackLookupPrefix}:TRACK_TYPE_${SfuModels.TrackType[trackType]}`);
      const track = feed.createTrack();
      stream.addTrack(track);
      this.#videoSenders.set(key, this.#subscriber.addTrack(track, stream));
      changed = true;
    }
    return changed ? this.renegotiateSubscriber() : Promise.resolve();
  }

  /** Sends the client a new subscriber offer (after the previous negotiation finished). */
  renegotiateSubscriber(iceRestart = false): Promise<void> {
    const run = () => this.#offerSubscriber(iceRestart);
    this.#subscriberNegotiation = this.#subscriberNegotiation.then(run, run).catch(() => undefined);
    return this.#subscriberNegotiation;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#awaitingAnswer?.resolve();
    for (const sink of this.#sinks) sink.stop();
    for (const sender of [...this.#senders.values(), ...this.#videoSenders.values()]) sender.track?.stop();
    this.#senders.clear();
    this.#videoSenders.clear();
    this.#subscriber.close();
    this.#publisher?.close();
    this.#ws?.close(1000, 'session closed');
    this.#ws = undefined;
  }

  async #offerSubscriber(iceRestart: boolean): Promise<void> {
    // Nothing to send and nothing negotiated yet: the client's subscriber stays idle, as with the real SFU.
    const sending = this.#senders.size + this.#videoSenders.size;
    if (this.#closed || (sending === 0 && !this.#subscriber.remoteDescription)) return;
    const pc = this.#subscriber;
    await pc.setLocalDescription(await pc.createOffer({ iceRestart }));
    await waitForIceGathering(pc);
    if (this.#closed) return;
    const negotiationId = ++this.#negotiationId;
    const answered = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ANSWER_TIMEOUT_MS);
      this.#awaitingAnswer = {
        negotiationId,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
    });
    this.send({
      oneofKind: 'subscriberOffer',
      subscriberOffer: { sdp: pc.localDescription?.sdp ?? '', iceRestart, negotiationId },
    });
    await answered;
  }

  #createPublisher(): PeerConnection {
    const pc = new RTCPeerConnection();
    this.#publisher = pc;
    this.#publisherCandidates = new PendingCandidates(pc);
    pc.addEventListener('track', (event) => {
      const { track } = event as RTCTrackEvent;
      if (track.kind !== 'audio') return;
      const sink = new RTCAudioSink(track);
      sink.ondata = (data: { samples: Int16Array; sampleRate: number; channelCount?: number }) => this.#recording.push(data);
      this.#sinks.push(sink);
    });
    return pc;
  }
}
