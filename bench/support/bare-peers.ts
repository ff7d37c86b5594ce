/**
 * WebRTC audio with nothing else: wrtc peer connections carrying one RTCAudioSource track each
 * way, a sink on the receiving end, one 10 ms timer feeding every source. What a process pays
 * wrtc for sending and receiving a call's audio, with no video client and no agent logic: the
 * baseline the agent's own CPU is compared with. Signalling is whatever carries the SDP between
 * the two processes (IPC here); candidates travel inside the SDP (no trickling).
 */
import wrtc from '@roamhq/wrtc';

const { RTCPeerConnection } = wrtc;
const { RTCAudioSource, RTCAudioSink } = wrtc.nonstandard;
type PeerConnection = InstanceType<typeof RTCPeerConnection>;
type AudioSource = InstanceType<typeof RTCAudioSource>;
type AudioSink = InstanceType<typeof RTCAudioSink>;

const SAMPLE_RATE = 48_000;
const FRAME_SAMPLES = 480;
const FRAME_MS = 10;

/** Both ends of one side's peers; `close()` releases them. */
export class BarePeers {
  readonly #peers: PeerConnection[] = [];
  readonly #sources: AudioSource[] = [];
  readonly #sinks: AudioSink[] = [];
  readonly #frame = new Int16Array(FRAME_SAMPLES);
  #timer: NodeJS.Timeout | undefined;
  #startMs = 0;
  #framesSent = 0;
  /** Frames the sinks received. */
  framesReceived = 0;

  /** A peer that sends a new source's track; resolves with its offer (ICE gathered). */
  async offerSending(): Promise<{ id: number; sdp: string }> {
    const pc = new RTCPeerConnection();
    const source = new RTCAudioSource();
    pc.addTrack(source.createTrack());
    this.#sources.push(source);
    return { id: this.#peers.push(pc) - 1, sdp: await this.#localDescription(pc, 'offer') };
  }

  /** A peer that receives into a sink; answers `offer`. */
  async answerReceiving(offer: string): Promise<string> {
    const pc = new RTCPeerConnection();
    this.#peers.push(pc);
    pc.ontrack = ({ track }) => {
      const sink = new RTCAudioSink(track);
      sink.ondata = () => this.framesReceived++;
      this.#sinks.push(sink);
    };
    await pc.setRemoteDescription({ type: 'offer', sdp: offer });
    return this.#localDescription(pc, 'answer');
  }

  async accept(id: number, answer: string): Promise<void> {
    await this.#peers[id]!.setRemoteDescription({ type: 'answer', sdp: answer });
  }

  /** Feeds every source a 10 ms frame of tone per 10 ms, from one timer, counted from the start. */
  startSending(): void {
    this.#startMs = performance.now();
    this.#timer = setInterval(() => {
      const due = Math.floor((performance.now() - this.#startMs) / FRAME_MS) - this.#framesSent;
      for (let i = 0; i < Math.min(due, 5); i++) {
        for (let s = 0; s < FRAME_SAMPLES; s++) this.#frame[s] = Math.round(6000 * Math.sin((2 * Math.PI * 300 * (this.#framesSent * FRAME_SAMPLES + s)) / SAMPLE_RATE));
        this.#framesSent++;
        for (const source of this.#sources) source.onData({ samples: this.#frame, sampleRate: SAMPLE_RATE });
      }
      if (due > 5) this.#framesSent += due - 5;
    }, FRAME_MS);
  }

  close(): void {
    clearInterval(this.#timer);
    for (const sink of this.#sinks) sink.stop();
    for (const pc of this.#peers) pc.close();
  }

  async #localDescription(pc: PeerConnection, type: 'offer' | 'answer'): Promise<string> {
    const description = type === 'offer' ? await pc.createOffer() : await pc.createAnswer();
    await pc.setLocalDescription(description);
    if (pc.iceGatheringState !== 'complete') {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 3000);
        pc.onicegatheringstatechange = () => {
          if (pc.iceGatheringState !== 'complete') return;
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return pc.localDescription!.sdp;
  }
}
