/**
 * Follows the video client's participant list and turns it into the edge's events: who joined
 * and left, which of their tracks came and went, and (through RemoteAudio) their microphone as
 * PCM. A track is matched to its participant by the SDK itself (stream id = the participant's
 * `trackLookupPrefix`), so here a participant's `audioStream` is simply theirs. The agent's own
 * sessions are not participants.
 */
import type { StreamVideoParticipant } from '@stream-io/video-client';
import type { EventBus } from '../../core/event-bus.js';
import type { ConnectionEvents, Participant, TrackKind } from '../edge.js';
import { RemoteAudio } from './remote-audio.js';

type StreamKey = 'audioStream' | 'videoStream' | 'screenShareStream' | 'screenShareAudioStream';

/**
 * Where the video client keeps each kind of remote track on a participant, and the SFU's
 * track type for it (`SfuModels.TrackType`, a protobuf enum whose wire values never change;
 * spelled out so this module does not load the client before the WebRTC globals exist).
 */
const STREAMS: ReadonlyArray<readonly [TrackKind, StreamKey, number]> = [
  ['audio', 'audioStream', 1],
  ['video', 'videoStream', 2],
  ['screen_share', 'screenShareStream', 3],
  ['screen_share_audio', 'screenShareAudioStream', 4],
];

interface KnownParticipant {
  participant: Participant;
  streams: Map<TrackKind, MediaStream>;
}

export class ParticipantTracks {
  readonly #events: EventBus<ConnectionEvents>;
  readonly #agentUserId: string;
  readonly #known = new Map<string, KnownParticipant>();
  readonly #remoteAudio: RemoteAudio;

  constructor(events: EventBus<ConnectionEvents>, agentUserId: string) {
    this.#events = events;
    this.#agentUserId = agentUserId;
    this.#remoteAudio = new RemoteAudio({
      deliver: (participant, frame) => events.emit('audio', { participant, frame }),
      wanted: () => events.listenerCount('audio') > 0,
    });
  }

  /** The participants known now, in order of arrival. */
  get participants(): Participant[] {
    return [...this.#known.values()].map((known) => known.participant);
  }

  /** Not the agent itself: neither this session nor another session of the agent's user. */
  isRemote(p: StreamVideoParticipant): boolean {
    return !p.isLocalParticipant && p.userId !== this.#agentUserId;
  }

  /** Applies the SDK's current participant list, emitting what changed. */
  sync(list: readonly StreamVideoParticipant[]): void {
    const present = new Set<string>();
    for (const p of list) {
      if (!this.isRemote(p)) continue;
      present.add(p.sessionId);
      let known = this.#known.get(p.sessionId);
      if (!known) {
        known = { participant: toParticipant(p), streams: new Map() };
        this.#known.set(p.sessionId, known);
        this.#events.emit('participant.joined', { participant: known.participant });
      }
      this.#syncTracks(known, p);
    }
    for (const [sessionId, known] of [...this.#known]) {
      if (present.has(sessionId)) continue;
      for (const kind of [...known.streams.keys()]) this.#removeTrack(known, kind);
      this.#known.delete(sessionId);
      this.#events.emit('participant.left', { participant: known.participant });
    }
  }

  /** Stops reading audio and forgets everyone, without emitting. */
  close(): void {
    this.#remoteAudio.close();
    this.#known.clear();
  }

  #syncTracks(known: KnownParticipant, p: StreamVideoParticipant): void {
    for (const [kind, key, trackType] of STREAMS) {
      // The SDK keeps a stream on the participant after they stop publishing it (muted, share
      // ended): only a published track counts.
      const stream = p.publishedTracks.includes(trackType) ? p[key] : undefined;
      if (stream === known.streams.get(kind)) continue;
      // A new stream for the same kind (after a rejoin, say) replaces the old one.
      if (known.streams.has(kind)) this.#removeTrack(known, kind);
      const isAudio = kind === 'audio' || kind === 'screen_share_audio';
      const track = stream && (isAudio ? stream.getAudioTracks()[0] : stream.getVideoTracks()[0]);
      if (!stream || !track) continue;
      known.streams.set(kind, stream);
      if (kind === 'audio') this.#remoteAudio.subscribe(known.participant, track);
      this.#events.emit('track.added', { participant: known.participant, kind, track });
    }
  }

  #removeTrack(known: KnownParticipant, kind: TrackKind): void {
    known.streams.delete(kind);
    if (kind === 'audio') this.#remoteAudio.unsubscribe(known.participant.sessionId);
    this.#events.emit('track.removed', { participant: known.participant, kind });
  }
}

export function toParticipant(p: StreamVideoParticipant): Participant {
  return Object.freeze({
    userId: p.userId,
    sessionId: p.sessionId,
    ...(p.name ? { name: p.name } : {}),
    ...(p.image ? { imageUrl: p.image } : {}),
  });
}
