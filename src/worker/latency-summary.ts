/**
 * A running summary of one session's turn latencies: count, mean, last, and percentiles over
 * the most recent turns. Bounded memory: a session that lasts all day keeps the last
 * `window` samples, which is also what "how is this call doing now" should describe.
 */
import type { SessionFigures } from '../store/session-store.js';

export type LatencyFigures = SessionFigures['responseLatencyMs'];

export class LatencySummary {
  readonly #window: number;
  readonly #recent: number[] = [];
  #count = 0;
  #sumMs = 0;
  #maxMs = 0;
  #lastMs: number | undefined;

  constructor(window = 200) {
    this.#window = window;
  }

  add(latencyMs: number): void {
    if (!Number.isFinite(latencyMs) || latencyMs < 0) return;
    this.#count++;
    this.#sumMs += latencyMs;
    this.#maxMs = Math.max(this.#maxMs, latencyMs);
    this.#lastMs = latencyMs;
    this.#recent.push(latencyMs);
    if (this.#recent.length > this.#window) this.#recent.shift();
  }

  figures(): LatencyFigures {
    if (this.#count === 0) return { count: 0 };
    const sorted = [...this.#recent].sort((a, b) => a - b);
    return {
      count: this.#count,
      meanMs: round(this.#sumMs / this.#count),
      p50Ms: round(percentile(sorted, 0.5)),
      p95Ms: round(percentile(sorted, 0.95)),
      maxMs: round(this.#maxMs),
      lastMs: round(this.#lastMs!),
    };
  }
}

/** Nearest-rank percentile of sorted, non-empty samples. */
function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))]!;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
