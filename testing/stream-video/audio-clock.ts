/**
 * One real-time 10 ms clock for every scripted participant of a fake server. A single timer
 * (not one per participant) keeps many calls cheap, and frames are counted from the start time
 * rather than per tick, so a late tick catches up instead of drifting.
 */
export interface FrameProducer {
  /** Called once per 10 ms of real time. */
  produceFrame(): void;
}

const FRAME_MS = 10;
/** After a long stall (a debugger, a GC pause), skip ahead rather than burst seconds of audio. */
const MAX_CATCH_UP_FRAMES = 10;

export class AudioClock {
  readonly #producers = new Set<FrameProducer>();
  #timer: NodeJS.Timeout | undefined;
  #startMs = 0;
  #frames = 0;

  add(producer: FrameProducer): void {
    this.#producers.add(producer);
    if (this.#timer) return;
    this.#startMs = performance.now();
    this.#frames = 0;
    this.#timer = setInterval(() => this.#tick(), FRAME_MS);
  }

  delete(producer: FrameProducer): void {
    this.#producers.delete(producer);
    if (this.#producers.size === 0) this.close();
  }

  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#producers.clear();
  }

  #tick(): void {
    const due = Math.floor((performance.now() - this.#startMs) / FRAME_MS) - this.#frames;
    if (due > MAX_CATCH_UP_FRAMES) this.#frames += due - MAX_CATCH_UP_FRAMES;
    for (let i = 0; i < Math.min(due, MAX_CATCH_UP_FRAMES); i++) {
      this.#frames++;
      for (const producer of this.#producers) producer.produceFrame();
    }
  }
}
