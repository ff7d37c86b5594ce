/**
 * The audio of one stream that the service has not settled yet, placed on the session's clock
 * (samples since the first one pushed). Audio waits in `unsent` until a socket is open; once
 * sent it stays in `sent` until a final result covers it. When a socket drops, `rewind()` puts
 * the sent audio back in front of the unsent: the next socket hears again exactly what no final
 * covered, so no speech is lost and no settled phrase is transcribed twice. The new socket's
 * clock starts at the first sample it is sent, which is what maps its times onto the session's.
 */

export interface AudioChunk {
  /** Position of the first sample on the session's clock. */
  startSample: number;
  samples: Int16Array;
}

export class AudioTimeline {
  readonly #maxSamples: number;
  #sent: AudioChunk[] = [];
  #unsent: AudioChunk[] = [];
  #pushedSamples = 0;
  #bufferedSamples = 0;

  constructor(maxSamples: number) {
    this.#maxSamples = maxSamples;
  }

  /** Samples pushed since the session began. */
  get pushedSamples(): number {
    return this.#pushedSamples;
  }

  get hasUnsent(): boolean {
    return this.#unsent.length > 0;
  }

  /**
   * Queues `samples` for sending. Beyond the bound, the oldest audio goes: replay audio first,
   * then unsent audio; returns how many samples that was that were never sent (lost).
   */
  push(samples: Int16Array): number {
    this.#unsent.push({ startSample: this.#pushedSamples, samples });
    this.#pushedSamples += samples.length;
    this.#bufferedSamples += samples.length;
    let lost = 0;
    while (this.#bufferedSamples > this.#maxSamples) {
      const fromSent = this.#sent.length > 0;
      const oldest = (fromSent ? this.#sent : this.#unsent).shift();
      if (!oldest) break;
      this.#bufferedSamples -= oldest.samples.length;
      if (!fromSent) lost += oldest.samples.length;
    }
    return lost;
  }

  /** Takes the queued audio to send; it is kept for replay until a final covers it. */
  takeUnsent(): AudioChunk[] {
    const chunks = this.#unsent;
    this.#unsent = [];
    this.#sent.push(...chunks);
    return chunks;
  }

  /** A final result covers the session's audio up to `sample`: it will never need sending again. */
  settle(sample: number): void {
    while (this.#sent.length > 0) {
      const first = this.#sent[0]!;
      const end = first.startSample + first.samples.length;
      if (end <= sample) {
        this.#sent.shift();
        this.#bufferedSamples -= first.samples.length;
        continue;
      }
      if (first.startSample < sample) {
        const cut = sample - first.startSample;
        this.#sent[0] = { startSample: sample, samples: first.samples.subarray(cut) };
        this.#bufferedSamples -= cut;
      }
      return;
    }
  }

  /**
   * Before a new socket: what the last one was sent but did not settle goes back in front of
   * the queue. Returns the session position of the new socket's first sample.
   */
  rewind(): number {
    this.#unsent = [...this.#sent, ...this.#unsent];
    this.#sent = [];
    return this.#unsent[0]?.startSample ?? this.#pushedSamples;
  }
}
