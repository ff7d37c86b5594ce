/**
 * Reads remote participants' microphone tracks as PCM. wrtc's RTCAudioSink calls `ondata`
 * every 10 ms per track; that callback only queues the frame (wrtc hands each call a buffer of
 * its own and never writes it again, so it is kept as it is: test/edge/wrtc-audio-sink.test.ts),
 * and one `setImmediate` per event-loop turn hands the batch on, so a slow consumer never runs
 * inside the WebRTC callback. Frames are delivered as 48 kHz mono: wrtc sends the first two or three
 * frames of a track at 16 kHz (and may send stereo), which are converted here.
 */
import { createResampler, downmixToMono, WEBRTC_SAMPLE_RATE, type PcmFrame, type Resampler } from '../../audio/index.js';
import type { Participant } from '../edge.js';
import { webRtc, type RTCAudioSink, type RTCAudioSinkData } from './webrtc-runtime.js';

interface Subscription {
  participant: Participant;
  track: MediaStreamTrack;
  sink: RTCAudioSink;
  /** By input rate; only for frames that do not arrive at 48 kHz. */
  resamplers: Map<number, Resampler>;
}

interface QueuedFrame {
  subscription: Subscription;
  samples: Int16Array;
  sampleRate: number;
  channels: number;
}

export interface RemoteAudioOptions {
  /** Receives each frame, in arrival order per participant. */
  deliver(participant: Participant, frame: PcmFrame): void;
  /** Whether anyone wants audio now; when not, frames are dropped in the callback. */
  wanted(): boolean;
}

export class RemoteAudio {
  readonly #subscriptions = new Map<string, Subscription>();
  readonly #options: RemoteAudioOptions;
  #queue: QueuedFrame[] = [];
  #drainScheduled: NodeJS.Immediate | undefined;
  #closed = false;

  constructor(options: RemoteAudioOptions) {
    this.#options = options;
  }

  /** The track currently read for a participant (by session id). */
  trackOf(sessionId: string): MediaStreamTrack | undefined {
    return this.#subscriptions.get(sessionId)?.track;
  }

  /** Starts reading `track` as the participant's audio (replacing a previous track). */
  subscribe(participant: Participant, track: MediaStreamTrack): void {
    if (this.#closed) return;
    this.unsubscribe(participant.sessionId);
    const { RTCAudioSink } = webRtc();
    const subscription: Subscription = { participant, track, sink: new RTCAudioSink(track), resamplers: new Map() };
    subscription.sink.ondata = (data: RTCAudioSinkData) => this.#onData(subscription, data);
    this.#subscriptions.set(participant.sessionId, subscription);
  }

  unsubscribe(sessionId: string): void {
    const subscription = this.#subscriptions.get(sessionId);
    if (!subscription) return;
    this.#subscriptions.delete(sessionId);
    subscription.sink.stop();
    for (const resampler of subscription.resamplers.values()) resampler.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const sessionId of [...this.#subscriptions.keys()]) this.unsubscribe(sessionId);
    if (this.#drainScheduled) clearImmediate(this.#drainScheduled);
    this.#drainScheduled = undefined;
    this.#queue = [];
  }

  /** The WebRTC callback: queue, schedule. Nothing else. */
  #onData(subscription: Subscription, data: RTCAudioSinkData): void {
    if (this.#closed || !this.#options.wanted()) return;
    this.#queue.push({ subscription, samples: data.samples, sampleRate: data.sampleRate, channels: data.channelCount ?? 1 });
    this.#drainScheduled ??= setImmediate(this.#drain);
  }

  readonly #drain = (): void => {
    this.#drainScheduled = undefined;
    const batch = this.#queue;
    this.#queue = [];
    for (const queued of batch) {
      const { subscription } = queued;
      // Frames of a track that was unsubscribed while they waited are dropped.
      if (this.#subscriptions.get(subscription.participant.sessionId) !== subscription) continue;
      const frame = this.#toWebRtcMono(queued);
      if (frame.samples.length > 0) this.#options.deliver(subscription.participant, frame);
    }
  };

  #toWebRtcMono({ subscription, samples, sampleRate, channels }: QueuedFrame): PcmFrame {
    const mono = channels > 1 ? downmixToMono(samples, channels) : samples;
    if (sampleRate === WEBRTC_SAMPLE_RATE) {
      if (subscription.resamplers.size > 0) {
        // The stream settled at 48 kHz: the start-up resamplers are done with.
        for (const resampler of subscription.resamplers.values()) resampler.close();
        subscription.resamplers.clear();
      }
      return { samples: mono, sampleRate: WEBRTC_SAMPLE_RATE, channels: 1 };
    }
    let resampler = subscription.resamplers.get(sampleRate);
    if (!resampler) subscription.resamplers.set(sampleRate, (resampler = createResampler(sampleRate, WEBRTC_SAMPLE_RATE)));
    return { samples: resampler.process(mono), sampleRate: WEBRTC_SAMPLE_RATE, channels: 1 };
  }
}
