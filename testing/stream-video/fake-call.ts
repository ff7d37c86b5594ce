/**
 * One call on the fake: the client sessions joined to it, the scripted remote participants,
 * and what every user published. A test scripts the call through this object:
 *
 *   const human = fake.call('c1').addParticipant({ userId: 'alice' });
 *   await human.playTone(440, 1000);
 *   human.publishVideo('screen_share');   // clients that subscribe (UpdateSubscriptions) get it
 *   fake.call('c1').recording('agent').samples();
 *   human.leave();
 */
import { SfuModels } from '@stream-io/video-client';
import type { AudioClock } from './audio-clock.js';
import { AudioRecording } from './audio-recording.js';
import { RemoteParticipant, type RemoteParticipantInit } from './remote-participant.js';
import type { SfuSession, VideoSubscription, VideoToSend } from './sfu-session.js';
import type { FakeVideoKind } from './video-feed.js';

const VIDEO_TRACK_TYPES: Record<FakeVideoKind, SfuModels.TrackType> = {
  video: SfuModels.TrackType.VIDEO,
  screen_share: SfuModels.TrackType.SCREEN_SHARE,
};
const VIDEO_KINDS = Object.keys(VIDEO_TRACK_TYPES) as FakeVideoKind[];

export interface FakeCallHooks {
  clock: AudioClock;
  /** Tells the coordinator side to send `call.ended` to the clients watching the call. */
  onEnded: (call: FakeCall) => void;
  /** A person joined: they are a user of the app (Stream creates users on connect). */
  onUser?: (user: { id: string; name?: string }) => void;
}

export class FakeCall {
  readonly type: string;
  readonly id: string;
  readonly cid: string;
  readonly createdAt = new Date();
  createdBy: string | undefined;
  endedAt: Date | undefined;
  /** Joined client sessions by session id. */
  readonly sessions = new Map<string, SfuSession>();
  /** Scripted participants by session id. */
  readonly remotes = new Map<string, RemoteParticipant>();
  readonly #recordings = new Map<string, AudioRecording>();
  readonly #sessionWaiters = new Set<() => void>();
  readonly #hooks: FakeCallHooks;

  constructor(type: string, id: string, hooks: FakeCallHooks) {
    this.type = type;
    this.id = id;
    this.cid = `${type}:${id}`;
    this.#hooks = hooks;
  }

  /** A scripted participant joins now and publishes its microphone to every client. */
  addParticipant(init: RemoteParticipantInit): RemoteParticipant {
    this.#hooks.onUser?.({ id: init.userId, name: init.name });
    const remote = new RemoteParticipant(
      init,
      (left) => this.#removeRemote(left),
      (publisher, kind, published) => this.#onRemoteVideo(publisher, kind, published),
      (publisher, published) => this.#onRemoteMicrophone(publisher, published),
    );
    this.remotes.set(remote.sessionId, remote);
    this.#hooks.clock.add(remote);
    const participant = this.#remoteToParticipant(remote);
    for (const session of this.sessions.values()) {
      session.send({ oneofKind: 'participantJoined', participantJoined: { callCid: this.cid, participant, isPinned: false } });
      void session.addRemoteTrack(remote);
    }
    return remote;
  }

  /** What `userId` published in this call (across all its sessions), as the SFU received it. */
  recording(userId: string): AudioRecording {
    let recording = this.#recordings.get(userId);
    if (!recording) this.#recordings.set(userId, (recording = new AudioRecording()));
    return recording;
  }

  /** Everyone in the call, as the SFU describes participants. */
  participants(): SfuModels.Participant[] {
    return [
      ...[...this.sessions.values()].map((session) => session.toParticipant()),
      ...[...this.remotes.values()].map((remote) => this.#remoteToParticipant(remote)),
    ];
  }

  /** The newest session of `userId`, if joined. */
  session(userId: string): SfuSession | undefined {
    return [...this.sessions.values()].filter((session) => session.userId === userId).at(-1);
  }

  /** Resolves with `userId`'s session once it has joined the SFU. */
  waitForSession(userId: string, timeoutMs = 10_000): Promise<SfuSession> {
    const existing = this.session(userId);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const check = () => {
        const session = this.session(userId);
        if (!session) return;
        done();
        resolve(session);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${userId} did not join ${this.cid} within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.#sessionWaiters.delete(check);
      };
      this.#sessionWaiters.add(check);
    });
  }

  /** Kills the SFU signal sockets (of one user, or everyone), as a network failure would. */
  dropSfuSockets(userId?: string): void {
    for (const session of this.sessions.values()) {
      if (userId === undefined || session.userId === userId) session.dropSocket();
    }
  }

  /**
   * Asks clients (of one user, or everyone) to rejoin, as the SFU does when it loses their
   * media: an `error` event with the REJOIN strategy. The client joins again with a new session.
   */
  requestRejoin(userId?: string): void {
    for (const session of this.sessions.values()) {
      if (userId !== undefined && session.userId !== userId) continue;
      session.send({
        oneofKind: 'error',
        error: {
          error: { code: SfuModels.ErrorCode.PARTICIPANT_MEDIA_TRANSPORT_FAILURE, message: 'media transport failed', shouldRetry: true },
          reconnectStrategy: SfuModels.WebsocketReconnectStrategy.REJOIN,
        },
      });
    }
  }

  /** Ends the call for everyone: the SFU's `callEnded` and the coordinator's `call.ended`. */
  end(): void {
    this.endedAt = new Date();
    for (const session of this.sessions.values()) {
      session.send({ oneofKind: 'callEnded', callEnded: { reason: SfuModels.CallEndedReason.ENDED } });
    }
    this.#hooks.onEnded(this);
  }

  /** A client session completed its SFU join: tell the others and send it everyone's audio. */
  addSession(session: SfuSession): void {
    for (const other of this.sessions.values()) {
      other.send({
        oneofKind: 'participantJoined',
        participantJoined: { callCid: this.cid, participant: session.toParticipant(), isPinned: false },
      });
    }
    this.sessions.set(session.sessionId, session);
    for (const remote of this.remotes.values()) void session.addRemoteTrack(remote);
    for (const wake of [...this.#sessionWaiters]) wake();
  }

  /** A client session left (or was replaced by a rejoin): tell the others, free its peers. */
  removeSession(session: SfuSession): void {
    if (!this.sessions.delete(session.sessionId)) return;
    session.close();
    for (const other of this.sessions.values()) {
      other.send({ oneofKind: 'participantLeft', participantLeft: { callCid: this.cid, participant: session.toParticipant() } });
    }
  }

  /** UpdateSubscriptions: the client wants these videos; it is sent those that are published. */
  updateSubscriptions(session: SfuSession, requested: VideoSubscription[]): void {
    session.requestedVideo = requested;
    session.subscriptionUpdates.push(requested);
    void session.setVideoTracks(this.#videoFor(session));
  }

  /** A session announced what it publishes (SetPublisher): others see trackPublished. */
  publishTracks(session: SfuSession, trackTypes: SfuModels.TrackType[]): void {
    const added = trackTypes.filter((type) => !session.publishedTracks.includes(type));
    session.publishedTracks = [...new Set([...session.publishedTracks, ...trackTypes])];
    for (const type of added) {
      for (const other of this.sessions.values()) {
        if (other === session) continue;
        other.send({
          oneofKind: 'trackPublished',
          trackPublished: { sessionId: session.sessionId, userId: session.userId, type, participant: session.toParticipant() },
        });
      }
    }
  }

  close(): void {
    for (const remote of this.remotes.values()) {
      this.#hooks.clock.delete(remote);
      remote.closeMedia();
    }
    this.remotes.clear();
    for (const session of this.sessions.values()) session.close();
    this.sessions.clear();
  }

  #removeRemote(remote: RemoteParticipant): void {
    if (!this.remotes.delete(remote.sessionId)) return;
    this.#hooks.clock.delete(remote);
    const participant = this.#remoteToParticipant(remote);
    for (const session of this.sessions.values()) {
      session.send({ oneofKind: 'participantLeft', participantLeft: { callCid: this.cid, participant } });
      void session.removeRemoteTrack(remote);
      void session.setVideoTracks(this.#videoFor(session));
    }
  }

  /** A scripted participant started or stopped a camera or screen share. */
  #onRemoteVideo(remote: RemoteParticipant, kind: FakeVideoKind, published: boolean): void {
    const event = this.#trackEvent(remote, VIDEO_TRACK_TYPES[kind], published);
    for (const session of this.sessions.values()) {
      session.send(event);
      void session.setVideoTracks(this.#videoFor(session));
    }
  }

  /** A scripted participant muted or unmuted the microphone. */
  #onRemoteMicrophone(remote: RemoteParticipant, published: boolean): void {
    const event = this.#trackEvent(remote, SfuModels.TrackType.AUDIO, published);
    for (const session of this.sessions.values()) session.send(event);
  }

  /** The SFU's trackPublished, or trackUnpublished as a mute, for a scripted participant's track. */
  #trackEvent(remote: RemoteParticipant, type: SfuModels.TrackType, published: boolean) {
    const participant = this.#remoteToParticipant(remote);
    const { sessionId, userId } = remote;
    return published
      ? ({ oneofKind: 'trackPublished', trackPublished: { sessionId, userId, type, participant } } as const)
      : ({
          oneofKind: 'trackUnpublished',
          trackUnpublished: { sessionId, userId, type, cause: SfuModels.TrackUnpublishReason.USER_MUTED, participant },
        } as const);
  }

  /** The published videos among those `session` asked for. */
  #videoFor(session: SfuSession): VideoToSend[] {
    const videos: VideoToSend[] = [];
    for (const { sessionId, trackType } of session.requestedVideo) {
      const remote = this.remotes.get(sessionId);
      const kind = VIDEO_KINDS.find((candidate) => VIDEO_TRACK_TYPES[candidate] === trackType);
      const feed = kind && remote?.videos.get(kind);
      if (remote && feed) videos.push({ remote, trackType, feed });
    }
    return videos;
  }

  #remoteToParticipant(remote: RemoteParticipant): SfuModels.Participant {
    return SfuModels.Participant.create({
      userId: remote.userId,
      sessionId: remote.sessionId,
      name: remote.name,
      image: remote.image,
      trackLookupPrefix: remote.trackLookupPrefix,
      publishedTracks: remote.left
        ? []
        : [...(remote.muted ? [] : [SfuModels.TrackType.AUDIO]), ...[...remote.videos.keys()].map((k) => VIDEO_TRACK_TYPES[k])],
      roles: ['user'],
    });
  }
}
