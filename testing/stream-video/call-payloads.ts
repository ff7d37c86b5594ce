/**
 * The coordinator's JSON shapes (`CallResponse`, `JoinCallResponse`, `GetCallResponse`, the
 * `connection.ok` and `call.ended` WebSocket events), filled in as far as
 * @stream-io/video-client reads them.
 */
import type { FakeCall } from './fake-call.js';

export interface UserInfo {
  id: string;
  name?: string;
  image?: string;
  custom?: Record<string, unknown>;
}

const OWN_CAPABILITIES = ['send-audio', 'send-video', 'screenshare', 'join-call', 'read-call', 'end-call'];

export function userResponse(user: UserInfo, at = new Date()) {
  return {
    id: user.id,
    name: user.name ?? user.id,
    image: user.image ?? '',
    role: 'user',
    custom: user.custom ?? {},
    teams: [],
    language: '',
    blocked_user_ids: [],
    created_at: at.toISOString(),
    updated_at: at.toISOString(),
  };
}

export function callResponse(call: FakeCall) {
  const at = call.createdAt.toISOString();
  return {
    cid: call.cid,
    id: call.id,
    type: call.type,
    created_by: userResponse({ id: call.createdBy ?? 'unknown' }, call.createdAt),
    custom: {},
    created_at: at,
    updated_at: at,
    ended_at: call.endedAt?.toISOString(),
    backstage: false,
    blocked_user_ids: [],
    recording: false,
    transcribing: false,
    captioning: false,
    current_session_id: `session-${call.id}`,
    egress: { broadcasting: false, rtmps: [], individual_recording: null },
    ingress: { rtmp: { address: '' } },
    session: {
      id: `session-${call.id}`,
      participants: [],
      participants_count_by_role: {},
      anonymous_participant_count: 0,
      accepted_by: {},
      rejected_by: {},
      missed_by: {},
    },
    settings: {
      audio: { mic_default_on: false, speaker_default_on: true, default_device: 'speaker', opus_dtx_enabled: false, redundant_coding_enabled: false },
      video: {
        camera_default_on: false,
        camera_facing: 'front',
        enabled: true,
        access_request_enabled: false,
        target_resolution: { width: 1280, height: 720, bitrate: 1_500_000 },
      },
      screensharing: { enabled: true, access_request_enabled: false, target_resolution: { width: 1920, height: 1080, bitrate: 3_000_000 } },
      backstage: {},
      broadcasting: {},
      recording: {},
      ring: {},
      transcription: {},
      limits: {},
      geofencing: {},
      thumbnails: {},
    },
  };
}

export function joinCallResponse(call: FakeCall, sfu: { twirpUrl: string; wsUrl: string; token: string }) {
  return {
    duration: '1ms',
    created: false,
    call: callResponse(call),
    members: [],
    own_capabilities: OWN_CAPABILITIES,
    credentials: {
      server: { url: sfu.twirpUrl, ws_endpoint: sfu.wsUrl, edge_name: 'fake-sfu' },
      token: sfu.token,
      ice_servers: [],
    },
    // reporting_interval_ms 0 turns the SDK's periodic SFU stats upload off.
    stats_options: { reporting_interval_ms: 0, enable_rtc_stats: false },
  };
}

export function getCallResponse(call: FakeCall) {
  return { duration: '1ms', call: callResponse(call), members: [], own_capabilities: OWN_CAPABILITIES };
}

export function connectionOk(connectionId: string, user: UserInfo) {
  return {
    type: 'connection.ok',
    connection_id: connectionId,
    created_at: new Date().toISOString(),
    me: { ...userResponse(user), devices: [], total_unread_count: 0, unread_channels: 0 },
  };
}

export function callEndedEvent(call: FakeCall) {
  return { type: 'call.ended', call_cid: call.cid, call: callResponse(call), created_at: new Date().toISOString() };
}

/** Stream's error body, as the SDKs parse it. */
export function streamError(status: number, message: string) {
  return { code: status === 401 ? 40 : 4, message, StatusCode: status, duration: '1ms', more_info: '' };
}
