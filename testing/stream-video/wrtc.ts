/** The WebRTC implementation the fake SFU's server-side peers use (the same one the agent uses). */
import wrtc from '@roamhq/wrtc';

export const { RTCPeerConnection, MediaStream } = wrtc;
export const { RTCAudioSource, RTCAudioSink, RTCVideoSource } = wrtc.nonstandard;
export type RTCAudioSource = InstanceType<typeof wrtc.nonstandard.RTCAudioSource>;
export type RTCAudioSink = InstanceType<typeof wrtc.nonstandard.RTCAudioSink>;

/**
 * A MediaStream with a chosen id. wrtc (not the standard) takes `{ id }`; the SFU needs it
 * because the client finds a track's participant by the stream id in the SDP's msid.
 */
export function mediaStreamWithId(id: string): globalThis.MediaStream {
  const WithId = MediaStream as unknown as new (init: { id: string }) => globalThis.MediaStream;
  return new WithId({ id });
}
