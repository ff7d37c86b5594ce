/**
 * Helpers for the fake SFU's server-side wrtc peers: the SFU answers the client's publisher
 * offer and offers the client's subscriber, in both cases with every ICE candidate in the SDP
 * (it never trickles), so it waits for gathering to finish before handing out a description.
 */
import { RTCPeerConnection } from './wrtc.js';

const GATHERING_TIMEOUT_MS = 3_000;

export type PeerConnection = InstanceType<typeof RTCPeerConnection>;

export function waitForIceGathering(pc: PeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(finish, GATHERING_TIMEOUT_MS);
    function finish() {
      clearTimeout(timer);
      pc.removeEventListener('icegatheringstatechange', onChange);
      resolve();
    }
    function onChange() {
      if (pc.iceGatheringState === 'complete') finish();
    }
    pc.addEventListener('icegatheringstatechange', onChange);
  });
}

/**
 * ICE candidates that arrive (trickled by the client) before the remote description is set;
 * added once it is.
 */
export class PendingCandidates {
  readonly #pending: RTCIceCandidateInit[] = [];
  constructor(private readonly pc: PeerConnection) {}

  async add(candidate: RTCIceCandidateInit): Promise<void> {
    if (!this.pc.remoteDescription) {
      this.#pending.push(candidate);
      return;
    }
    await this.pc.addIceCandidate(candidate).catch(() => undefined);
  }

  /** Call after setRemoteDescription. */
  async flush(): Promise<void> {
    for (const candidate of this.#pending.splice(0)) await this.pc.addIceCandidate(candidate).catch(() => undefined);
  }
}
