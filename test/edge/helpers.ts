/** Shared set-up for the edge tests: the Stream fakes, an edge pointed at them, event waits. */
import type { EventBus, ErrorEvents } from '../../src/core/event-bus.js';
import type { Connection } from '../../src/edge/index.js';
import { StreamEdge, type StreamEdgeOptions } from '../../src/edge/stream/index.js';
import { FakeStreamApi } from '../../testing/stream-api/index.js';
import { FakeStreamVideo, concat } from '../../testing/stream-video/index.js';

export const API_KEY = 'edge-test-key';
export const API_SECRET = 'edge-test-secret';

export interface StreamFakes {
  api: FakeStreamApi;
  video: FakeStreamVideo;
  /** A new edge whose every base URL points at the fakes. */
  edge(overrides?: Partial<StreamEdgeOptions>): StreamEdge;
  close(): Promise<void>;
}

export async function startStreamFakes(): Promise<StreamFakes> {
  const api = new FakeStreamApi({ apiKey: API_KEY, apiSecret: API_SECRET });
  const video = await FakeStreamVideo.start({ apiKey: API_KEY, apiSecret: API_SECRET, api });
  return {
    api,
    video,
    edge: (overrides = {}) =>
      new StreamEdge({
        apiKey: API_KEY,
        apiSecret: API_SECRET,
        baseUrl: video.baseUrl,
        videoBaseUrl: video.videoBaseUrl,
        locationHintUrl: video.locationHintUrl,
        openBrowser: false,
        ...overrides,
      }),
    close: () => video.close(),
  };
}

/** Resolves with the next `event` whose payload satisfies `predicate`. */
export function nextEvent<E extends ErrorEvents, K extends keyof E>(
  bus: EventBus<E>,
  event: K,
  predicate: (payload: E[K]) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<E[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${String(event)} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = bus.on(event, (payload) => {
      if (!predicate(payload)) return;
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}

/** Collects the 48 kHz frames a connection delivers for one user. */
export function collectAudio(connection: Connection, userId: string) {
  const frames: Int16Array[] = [];
  const rates = new Set<string>();
  const off = connection.events.on('audio', ({ participant, frame }) => {
    if (participant.userId !== userId) return;
    rates.add(`${frame.sampleRate}/${frame.channels}`);
    frames.push(frame.samples);
  });
  return {
    frames,
    /** `sampleRate/channels` of every frame seen. */
    rates,
    samples: (fromFrame = 0) => concat(frames.slice(fromFrame)),
    stop: off,
  };
}

export { waitUntil } from '../support/wait.js';
