/**
 * The fake SFU's signalling: the binary protobuf WebSocket (`/sfu/ws`: join, fast reconnect,
 * health checks, leave) and the Twirp JSON RPCs under `/sfu/twirp/` (SetPublisher, SendAnswer,
 * IceTrickle, IceRestart, UpdateSubscriptions for videos; the rest are acknowledged). Messages
 * are the video client's own exported protobuf types, so the wire format is exactly what the
 * SDK speaks.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SfuEvents, SfuModels } from '@stream-io/video-client';
import type { WebSocket } from 'ws';
import type { UserInfo } from './call-payloads.js';
import { send } from './coordinator.js';
import type { FakeCall } from './fake-call.js';
import { verifyJwt } from './jwt.js';
import { SfuSession, type VideoSubscription } from './sfu-session.js';

export interface SfuContext {
  sfuSecret: string;
  fastReconnectDeadlineSeconds: number;
  findCall(cid: string): FakeCall | undefined;
  user(userId: string): UserInfo | undefined;
}

const TWIRP_PREFIX = '/sfu/twirp/stream.video.sfu.signal.SignalServer/';

/** Audio as Opus, video as VP8: what the fake SFU asks clients to publish. */
const PUBLISH_OPTIONS: SfuModels.PublishOption[] = [
  SfuModels.PublishOption.create({
    id: 1,
    trackType: SfuModels.TrackType.AUDIO,
    codec: { name: 'opus', clockRate: 48_000, payloadType: 111, fmtp: 'minptime=10;useinbandfec=1', encodingParameters: '2' },
    bitrate: 64_000,
  }),
  SfuModels.PublishOption.create({
    id: 2,
    trackType: SfuModels.TrackType.VIDEO,
    codec: { name: 'vp8', clockRate: 90_000, payloadType: 96, fmtp: '', encodingParameters: '' },
    bitrate: 1_000_000,
    maxSpatialLayers: 1,
    maxTemporalLayers: 1,
  }),
];

export class SfuSignal {
  /** Every live session by session id, with its call. */
  readonly #sessions = new Map<string, { call: FakeCall; session: SfuSession }>();
  readonly #socketSessions = new Map<WebSocket, SfuSession>();
  readonly #expiry = new Map<string, NodeJS.Timeout>();

  constructor(private readonly context: SfuContext) {}

  handleSocket(ws: WebSocket): void {
    ws.on('message', (raw: Buffer) => {
      let request: SfuEvents.SfuRequest;
      try {
        request = SfuEvents.SfuRequest.fromBinary(new Uint8Array(raw));
      } catch {
        ws.close(4400, 'not an SfuRequest');
        return;
      }
      const payload = request.requestPayload;
      if (payload.oneofKind === 'joinRequest') this.#join(ws, payload.joinRequest);
      else if (payload.oneofKind === 'healthCheckRequest') this.#healthCheck(ws);
      else if (payload.oneofKind === 'leaveCallRequest') this.#leave(ws);
    });
    ws.on('close', () => this.#socketClosed(ws));
  }

  /** Returns false when the path is not the SFU's. */
  async handleTwirp(req: IncomingMessage, res: ServerResponse, url: URL, body: Record<string, unknown>): Promise<boolean> {
    if (!url.pathname.startsWith('/sfu/twirp/')) return false;
    const bearer = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    if ('error' in verifyJwt(bearer, this.context.sfuSecret)) {
      send(res, 401, { code: 'unauthenticated', msg: 'invalid SFU token' });
      return true;
    }
    const method = url.pathname.slice(TWIRP_PREFIX.length);
    const entry = this.#sessions.get(String(body.sessionId ?? ''));
    if (!entry) {
      send(res, 200, { error: { code: 'ERROR_CODE_PARTICIPANT_NOT_FOUND', message: 'unknown session', shouldRetry: false } });
      return true;
    }
    const { call, session } = entry;
    const peer = isSubscriber(body.peerType) ? 'subscriber' : 'publisher';
    switch (method) {
      case 'SetPublisher': {
        const tracks = ((body.tracks ?? []) as unknown[]).map((track) => SfuModels.TrackInfo.fromJson(track as never));
        const sdp = await session.answerPublisher(String(body.sdp));
        call.publishTracks(session, tracks.filter((track) => !track.muted).map((track) => track.trackType));
        send(res, 200, { sdp, sessionId: session.sessionId, iceRestart: false });
        return true;
      }
      case 'SendAnswer':
        await session.acceptSubscriberAnswer(String(body.sdp), Number(body.negotiationId ?? 0));
        break;
      case 'IceTrickle':
        await session.addCandidate(peer, JSON.parse(String(body.iceCandidate)) as RTCIceCandidateInit);
        break;
      case 'UpdateSubscriptions':
        call.updateSubscriptions(session, ((body.tracks ?? []) as Record<string, unknown>[]).flatMap(toVideoSubscription));
        break;
      case 'IceRestart':
        if (peer === 'subscriber') void session.renegotiateSubscriber(true);
        break;
      default:
        // UpdateMuteStates, SendStats, noise cancellation: acknowledged.
        break;
    }
    send(res, 200, {});
    return true;
  }

  close(): void {
    for (const timer of this.#expiry.values()) clearTimeout(timer);
    this.#expiry.clear();
    for (const ws of this.#socketSessions.keys()) ws.terminate();
    this.#socketSessions.clear();
    this.#sessions.clear();
  }

  #join(ws: WebSocket, request: SfuEvents.JoinRequest): void {
    const verified = verifyJwt(request.token, this.context.sfuSecret);
    const call = 'claims' in verified ? this.context.findCall(String(verified.claims.call_cid)) : undefined;
    if (!('claims' in verified) || !call) {
      ws.close(4401, 'invalid SFU token');
      return;
    }
    const userId = String(verified.claims.user_id);

    const existing = this.#sessions.get(request.sessionId)?.session;
    if (request.fastReconnect && existing && !existing.closed) {
      // Same session, new socket: the peers live on; the subscriber gets an ICE restart.
      this.#bind(ws, existing, call);
      this.#sendJoinResponse(existing, call, true);
      void existing.renegotiateSubscriber(true);
      return;
    }
    // A rejoin replaces the previous session (and any stale one with this id).
    for (const stale of [request.reconnectDetails?.previousSessionId, request.sessionId]) {
      const entry = stale ? this.#sessions.get(stale) : undefined;
      if (entry) this.#remove(entry.session, entry.call);
    }
    const user = this.context.user(userId);
    const session = new SfuSession({
      sessionId: request.sessionId,
      userId,
      name: user?.name ?? userId,
      image: user?.image ?? '',
      recording: call.recording(userId),
    });
    this.#bind(ws, session, call);
    this.#sendJoinResponse(session, call, false);
    call.addSession(session);
  }

  #sendJoinResponse(session: SfuSession, call: FakeCall, reconnected: boolean): void {
    const participants = call.participants().filter((participant) => participant.sessionId !== session.sessionId);
    participants.push(session.toParticipant());
    session.send({
      oneofKind: 'joinResponse',
      joinResponse: {
        callState: { participants, participantCount: { total: participants.length, anonymous: 0 }, pins: [], e2EeEnabled: false },
        reconnected,
        fastReconnectDeadlineSeconds: this.context.fastReconnectDeadlineSeconds,
        publishOptions: PUBLISH_OPTIONS,
      },
    });
  }

  #bind(ws: WebSocket, session: SfuSession, call: FakeCall): void {
    clearTimeout(this.#expiry.get(session.sessionId));
    this.#expiry.delete(session.sessionId);
    session.attach(ws);
    this.#socketSessions.set(ws, session);
    this.#sessions.set(session.sessionId, { call, session });
  }

  #healthCheck(ws: WebSocket): void {
    const session = this.#socketSessions.get(ws);
    const total = session ? (this.#sessions.get(session.sessionId)?.call.participants().length ?? 0) : 0;
    ws.send(
      SfuEvents.SfuEvent.toBinary(
        SfuEvents.SfuEvent.create({
          eventPayload: { oneofKind: 'healthCheckResponse', healthCheckResponse: { participantCount: { total, anonymous: 0 } } },
        }),
      ),
    );
  }

  #leave(ws: WebSocket): void {
    const session = this.#socketSessions.get(ws);
    const entry = session && this.#sessions.get(session.sessionId);
    if (entry) this.#remove(entry.session, entry.call);
  }

  #socketClosed(ws: WebSocket): void {
    const session = this.#socketSessions.get(ws);
    this.#socketSessions.delete(ws);
    if (!session) return;
    session.detach(ws);
    if (session.closed || session.connected) return;
    // Keep the session for a fast reconnect; drop it when the deadline passes.
    const entry = this.#sessions.get(session.sessionId);
    if (!entry) return;
    const timer = setTimeout(() => this.#remove(session, entry.call), this.context.fastReconnectDeadlineSeconds * 1000);
    this.#expiry.set(session.sessionId, timer);
  }

  #remove(session: SfuSession, call: FakeCall): void {
    clearTimeout(this.#expiry.get(session.sessionId));
    this.#expiry.delete(session.sessionId);
    this.#sessions.delete(session.sessionId);
    call.removeSession(session);
  }
}

/** One entry of UpdateSubscriptions' `tracks` (Twirp JSON: enum names), if it is a video. */
function toVideoSubscription(track: Record<string, unknown>): VideoSubscription[] {
  const raw = track.trackType;
  const trackType = typeof raw === 'number' ? raw : SfuModels.TrackType[String(raw).replace(/^TRACK_TYPE_/, '') as keyof typeof SfuModels.TrackType];
  if (trackType !== SfuModels.TrackType.VIDEO && trackType !== SfuModels.TrackType.SCREEN_SHARE) return [];
  return [{ sessionId: String(track.sessionId ?? ''), trackType }];
}

function isSubscriber(peerType: unknown): boolean {
  return peerType === 'PEER_TYPE_SUBSCRIBER' || peerType === SfuModels.PeerType.SUBSCRIBER;
}
