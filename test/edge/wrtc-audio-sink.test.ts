/**
 * What RemoteAudio relies on in wrtc's RTCAudioSink: every `ondata` call gets a buffer of its
 * own, which wrtc never writes again, so a frame can be queued as it is, without a copy.
 */
import { afterAll, describe, expect, it } from 'vitest';
import wrtc from '@roamhq/wrtc';
import { loadWebRtc, type RTCAudioSink, type RTCAudioSinkData } from '../../src/edge/stream/webrtc-runtime.js';

type Peer = InstanceType<typeof wrtc.RTCPeerConnection>;

async function gathered(pc: Peer): Promise<void> {
  if (pc.iceGatheringState === 'complete') return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 3000);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState !== 'complete') return;
      clearTimeout(timer);
      resolve();
    });
  });
}

describe("wrtc's RTCAudioSink", () => {
  const peers: Peer[] = [];
  afterAll(() => {
    for (const pc of peers) pc.close();
  });

  it('hands every frame over in a fresh buffer that it never rewrites', async () => {
    const { RTCAudioSink, RTCAudioSource } = await loadWebRtc();
    const sender = new wrtc.RTCPeerConnection();
    const receiver = new wrtc.RTCPeerConnection();
    peers.push(sender, receiver);
    const source = new RTCAudioSource();
    sender.addTrack(source.createTrack());
    const frames: Int16Array[] = [];
    let sink: RTCAudioSink | undefined;
    receiver.ontrack = ({ track }) => {
      sink = new RTCAudioSink(track);
      sink.ondata = ({ samples }: RTCAudioSinkData) => void frames.push(samples);
    };
    await sender.setLocalDescription(await sender.createOffer());
    await gathered(sender);
    await receiver.setRemoteDescription(sender.localDescription!);
    await receiver.setLocalDescription(await receiver.createAnswer());
    await gathered(receiver);
    await sender.setRemoteDescription(receiver.localDescription!);

    const frame = new Int16Array(480);
    let sent = 0;
    const timer = setInterval(() => {
      for (let i = 0; i < frame.length; i++) frame[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * (sent * 480 + i)) / 48_000));
      sent++;
      source.onData({ samples: frame, sampleRate: 48_000 });
    }, 10);
    try {
      const deadline = Date.now() + 10_000;
      while (frames.length < 150 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      const copies = frames.map((samples) => samples.slice());
      await new Promise((resolve) => setTimeout(resolve, 300)); // more frames arrive meanwhile
      expect(frames.length).toBeGreaterThanOrEqual(150);
      expect(new Set(frames.map((samples) => samples.buffer)).size).toBe(frames.length);
      copies.forEach((copy, i) => expect(frames[i]).toEqual(copy));
    } finally {
      clearInterval(timer);
      sink?.stop();
    }
  });
});
