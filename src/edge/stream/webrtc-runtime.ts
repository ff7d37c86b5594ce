/**
 * WebRTC for Node, loaded on first use: @roamhq/wrtc is a native add-on of some 25 MB, so it is
 * loaded when the first call is joined, not when the package is imported.
 *
 * `loadVideoClient()` loads wrtc, provides the browser APIs @stream-io/video-client expects
 * (WebRTC from wrtc, WebSocket from `ws`, a `navigator` with a user agent), and only then loads
 * the client, so the order is guaranteed whichever module asks first. The globals are provided
 * only where the runtime lacks them (Node 22+ has a navigator of its own), except WebSocket,
 * which is always this one (see `TaskPerMessageWebSocket`; the SFU socket calls `new WebSocket`
 * directly, so the client's `WebSocketImpl` option is not enough).
 *
 * Loading wrtc also makes the process's natural exit safe (see wrtc-exit.ts): without that, a
 * process that used it could crash after its work was done.
 */
import type wrtcModule from '@roamhq/wrtc';
import { WebSocket as WsWebSocket } from 'ws';
import { EdgeError } from '../../core/errors.js';
import { endNaturalExitWithoutNativeTeardown } from './wrtc-exit.js';

type Wrtc = typeof wrtcModule;
type VideoClientModule = typeof import('@stream-io/video-client');

/** The parts of wrtc the edge uses: its non-standard PCM and frame bridges, and MediaStream. */
export interface WebRtc {
  /** Feeds a track from PCM. */
  RTCAudioSource: Wrtc['nonstandard']['RTCAudioSource'];
  /** Reads PCM from a track. */
  RTCAudioSink: Wrtc['nonstandard']['RTCAudioSink'];
  /** Reads decoded I420 frames from a video track. */
  RTCVideoSink: Wrtc['nonstandard']['RTCVideoSink'];
  MediaStream: typeof globalThis.MediaStream;
}

export type RTCAudioSource = InstanceType<WebRtc['RTCAudioSource']>;
export type RTCAudioSink = InstanceType<WebRtc['RTCAudioSink']>;
export type RTCVideoSink = InstanceType<WebRtc['RTCVideoSink']>;
/** What an RTCAudioSink's `ondata` receives. */
export interface RTCAudioSinkData {
  samples: Int16Array;
  sampleRate: number;
  channelCount?: number;
  numberOfFrames?: number;
}

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

let loading: Promise<WebRtc> | undefined;
let loaded: WebRtc | undefined;
let videoClient: Promise<VideoClientModule> | undefined;

/** Loads wrtc (once), installs the globals the video client needs and the safe natural exit. */
export function loadWebRtc(): Promise<WebRtc> {
  loading ??= import('@roamhq/wrtc').then((module) => {
    // A CommonJS add-on: its exports are the default export of the ES module.
    const wrtc = ((module as { default?: Wrtc }).default ?? module) as Wrtc;
    endNaturalExitWithoutNativeTeardown();
    installWebRtcGlobals(wrtc);
    loaded = {
      RTCAudioSource: wrtc.nonstandard.RTCAudioSource,
      RTCAudioSink: wrtc.nonstandard.RTCAudioSink,
      RTCVideoSink: wrtc.nonstandard.RTCVideoSink,
      MediaStream: wrtc.MediaStream as unknown as typeof globalThis.MediaStream,
    };
    return loaded;
  });
  return loading;
}

/**
 * wrtc, once `loadWebRtc()` (or `loadVideoClient()`) has resolved. The media classes are made
 * only after a call is joined, which loads it; anything earlier is a bug, reported as such.
 */
export function webRtc(): WebRtc {
  if (!loaded) throw new EdgeError('WebRTC is not loaded yet: await loadWebRtc() first.', { code: 'EDGE_WEBRTC_NOT_LOADED' });
  return loaded;
}

/** The video client module, loaded once, after wrtc and the globals are in place. */
export function loadVideoClient(): Promise<VideoClientModule> {
  videoClient ??= loadWebRtc().then(() => import('@stream-io/video-client'));
  return videoClient;
}

/** Provides the browser APIs the video client uses, where the runtime lacks them. */
function installWebRtcGlobals(wrtc: Wrtc): void {
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
