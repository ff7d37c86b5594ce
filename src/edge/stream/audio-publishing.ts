/**
 * The agent's one audio track in a call: published once on request, and kept published
 * through reconnects. A fast reconnect keeps the SFU session and the SDK's publisher, and the
 * track with them. A full rejoin (or a migration) opens a new session with a new publisher,
 * and the SDK restores only tracks of its own device managers, so the track is published again
 * here. The SDK reports "joined" before it swaps the publisher; this waits for the new one.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Call } from '@stream-io/video-client';
import { EdgeError, toError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { PublishedAudio } from './published-audio.js';

type VideoClientModule = typeof import('@stream-io/video-client');

/** How long to wait for the SDK to replace its publisher after a rejoin, in ms. */
const REPUBLISH_WAIT_MS = 10_000;
const REPUBLISH_POLL_MS = 20;

export class AudioPublishing {
  readonly #call: Call;
  readonly #audio: number;
  readonly #cid: string;
  readonly #log: Logger;
  readonly #closed = new AbortController();
  #output: Promise<PublishedAudio> | undefined;
  /** The SFU session and SDK publisher that carry the track now. */
  #publishedOn: { sessionId: string | undefined; publisher: unknown } | undefined;

  constructor(call: Call, sdk: VideoClientModule, cid: string, log: Logger) {
    this.#call = call;
    this.#audio = sdk.SfuModels.TrackType.AUDIO;
    this.#cid = cid;
    this.#log = log;
  }

  /** Publishes the track (once; a failed attempt can be retried). */
  output(): Promise<PublishedAudio> {
    if (this.#closed.signal.aborted) {
      return Promise.reject(new EdgeError('This connection is closed; join the call again to publish audio.', { code: 'EDGE_CLOSED' }));
    }
    if (!this.#output) {
      const publishing = this.#publish();
      this.#output = publishing;
      publishing.catch(() => {
        if (this.#output === publishing) this.#output = undefined;
      });
    }
    return this.#output;
  }

  /** After the SDK reconnected: republishes the track if a rejoin dropped it. Rejects with an EdgeError. */
  async restore(): Promise<void> {
    const output = await this.#output?.catch(() => undefined);
    const published = this.#publishedOn;
    if (!output || output.closed || !published || this.#closed.signal.aborted) return;
    if (this.#call.state.localParticipant?.sessionId === published.sessionId) return; // fast reconnect
    const publisher = await this.#newPublisher(published.publisher);
    if (!publisher || output.closed || this.#closed.signal.aborted || publisher.isPublishing(this.#audio)) return;
    try {
      await this.#call.publish(output.stream, this.#audio);
    } catch (thrown) {
      throw new EdgeError(`Could not republish the agent's audio after reconnecting to ${this.#cid}: ${toError(thrown).message}`, {
        code: 'EDGE_PUBLISH',
        retryable: true,
        cause: thrown,
      });
    }
    this.#remember();
    this.#log.info({ cid: this.#cid }, 'republished the agent audio track after a rejoin');
  }

  /** Stops the pacer and the track. Call after leaving the call. Idempotent. */
  async close(): Promise<void> {
    this.#closed.abort();
    const output = await this.#output?.catch(() => undefined);
    await output?.close().catch(() => undefined);
  }

  async #publish(): Promise<PublishedAudio> {
    const output = new PublishedAudio(() => this.#call.stopPublish(this.#audio));
    try {
      await this.#call.publish(output.stream, this.#audio);
    } catch (thrown) {
      await output.close().catch(() => undefined);
      throw new EdgeError(`Could not publish the agent's audio track in ${this.#cid}: ${toError(thrown).message}`, {
        code: 'EDGE_PUBLISH',
        retryable: true,
        cause: thrown,
      });
    }
    this.#remember();
    return output;
  }

  #remember(): void {
    this.#publishedOn = { sessionId: this.#call.state.localParticipant?.sessionId, publisher: this.#call.publisher };
  }

  /** The SDK's publisher once it is no longer `previous`; undefined on timeout or close. */
  async #newPublisher(previous: unknown): Promise<NonNullable<Call['publisher']> | undefined> {
    const deadline = performance.now() + REPUBLISH_WAIT_MS;
    const signal = this.#closed.signal;
    while (!signal.aborted && performance.now() < deadline) {
      const current = this.#call.publisher;
      if (current && current !== previous) return current;
      await delay(REPUBLISH_POLL_MS, undefined, { signal }).catch(() => undefined);
    }
    return undefined;
  }
}
