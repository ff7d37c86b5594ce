/**
 * The browser APIs @stream-io/video-client expects, provided in Node: WebRTC from
 * @roamhq/wrtc, WebSocket from `ws` (the SFU socket calls `new WebSocket` directly, so the
 * client's `WebSocketImpl` option is not enough) and a `navigator` with a user agent. They are
 * installed before the client module is loaded, and only where the runtime lacks them (Node 22+
 * has a navigator of its own), except WebSocket, which is always this one (see
 * `TaskPerMessageWebSocket`).
 *
 * Everything that loads the video client goes through `loadVideoClient()`, so the order is
 * guaranteed no matter which module is imported first.
 */
import wrtc from '@roamhq/wrtc';
import { WebSocket as WsWebSocket } from 'ws';

/** wrtc's non-standard PCM bridge: feed a track from PCM, read PCM from a track. */
export const { RTCAudioSource, RTCAudioSink } = wrtc.nonstandard;
export type RTCAudioSource = InstanceType<typeof wrtc.nonstandard.RTCAudioSource>;
export type RTCAudioSink = InstanceType<typeof wrtc.nonstandard.RTCAudioSink>;
/** What an RTCAudioSink's `ondata` receives. */
export interface RTCAudioSinkData {
  samples: Int16Array;
  sampleRate: number;
  channelCount?: number;
  numberOfFrames?: number;
}

export const MediaStream = wrtc.MediaStream as unknown as typeof globalThis.MediaStream;

type VideoClientModule = typeof import('@stream-io/video-client');

/**
 * A WebSocket that delivers each message in a task of its own, as a browser does. The video
 * client depends on it: its SFU join awaits the `joinResponse`, and the code after that await
 * replaces the participant list with the response's. A `participantJoined` that arrived in the
 * same read and was dispatched in the same task would be applied first and then overwritten:
 * someone who joins as the agent joins would never be heard. `ws` by default, and Node's own
 * WebSocket, dispatch every message of a read in one task.
 */
class TaskPerMessageWebSocket extends WsWebSocket {
  constructor(address: string | URL, protocols?: string | string[]) {
    super(address, protocols, { allowSynchronousEvents: false });
  }
}

let installed = false;
let videoClient: Promise<VideoClientModule> | undefined;

/** Installs the globals the video client needs where they are missing. Idempotent. */
export function installWebRtcGlobals(): void {
  if (installed) return;
  installed = true;
  const globals = globalThis as Record<string, unknown>;
  const provide = (name: string, value: unknown) => {
    if (globals[name] === undefined) globals[name] = value;
  };
  provide('RTCPeerConnection', wrtc.RTCPeerConnection);
  provide('RTCSessionDescription', wrtc.RTCSessionDescription);
  provide('RTCIceCandidate', wrtc.RTCIceCandidate);
  provide('RTCPeerConnectionIceEvent', wrtc.RTCPeerConnectionIceEvent);
  // The client tests `instanceof RTCPeerConnectionIceErrorEvent` when an ICE candidate fails.
  provide('RTCPeerConnectionIceErrorEvent', (wrtc as unknown as Record<string, unknown>).RTCPeerConnectionIceErrorEvent);
  provide('MediaStream', wrtc.MediaStream);
  provide('MediaStreamTrack', wrtc.MediaStreamTrack);
  globals.WebSocket = TaskPerMessageWebSocket;
  if (typeof globals.navigator === 'undefined') {
    globals.navigator = { userAgent: `Node.js/${process.versions.node}` };
  }
}

/** The video client module, loaded once, after the globals are in place. */
export function loadVideoClient(): Promise<VideoClientModule> {
  installWebRtcGlobals();
  videoClient ??= import('@stream-io/video-client');
  return videoClient;
}
