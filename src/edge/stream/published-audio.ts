/**
 * The agent's published audio track: an RTCAudioSource fed one 10 ms frame per 10 ms by an
 * AudioPacer, at the rate the audio was written at. `write()` takes any chunk size at 16, 24 or
 * 48 kHz and returns at once; `flush()` empties the queue so the next frame out is silence;
 * gaps play as silence and are counted.
 * The track lives as long as this object, so the call can republish it after a rejoin.
 * Made once wrtc is loaded (joining a call loads it).
 */
import { AudioPacer, WEBRTC_SAMPLE_RATE } from '../../audio/index.js';
import type { EventBus } from '../../core/event-bus.js';
import type { AudioOutput, AudioOutputEvents, AudioOutputStats } from '../edge.js';
import { webRtc, type RTCAudioSource } from './webrtc-runtime.js';

export class PublishedAudio implements AudioOutput {
  /** The track as published; the SDK publishes a clone of it, fed by the same source. */
  readonly track: MediaStreamTrack;
  readonly stream: MediaStream;
  readonly #source: RTCAudioSource;
  readonly #pacer: AudioPacer;
  readonly #unpublish: () => Promise<void>;
  #closing: Promise<void> | undefined;

  /** `unpublish` stops the SDK's sender; it is called once, by `close()`. */
  constructor(unpublish: () => Promise<void>) {
    this.#unpublish = unpublish;
    const { RTCAudioSource, MediaStream } = webRtc();
    const source = (this.#source = new RTCAudioSource());
    this.track = source.createTrack();
    this.stream = new MediaStream([this.track]);
    this.#pacer = new AudioPacer({
      sampleRate: WEBRTC_SAMPLE_RATE,
      // The source takes 10 ms at any rate and converts to the encoder's 48 kHz on wrtc's own
      // encoder thread: a model's 24 kHz voice goes out as it is, with no resampling here.
      followInputRate: true,
      // wrtc copies the frame synchronously, so the pacer's reused buffer can go straight in.
      onFrame: (samples, sampleRate) => source.onData({ samples, sampleRate }),
    });
    this.#pacer.start();
  }

  get events(): EventBus<AudioOutputEvents> {
    return this.#pacer.events;
  }

  get stats(): AudioOutputStats {
    return this.#pacer.stats;
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  write(samples: Int16Array, sampleRate: number): void {
    this.#pacer.write(samples, sampleRate);
  }

  end(): void {
    this.#pacer.end();
  }

  flush(): void {
    this.#pacer.flush();
  }

  pause(): void {
    this.#pacer.hold();
  }

  resume(): void {
    this.#pacer.resume();
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#pacer.close();
      try {
        await this.#unpublish();
      } finally {
        this.track.stop();
      }
    })();
    return this.#closing;
  }
}
