/**
 * A fake Gemini Live API server on 127.0.0.1, for tests and benchmarks. The real SDK
 * (`@google/genai` `ai.live.connect`) reaches it through `baseUrl`; it speaks the Live API's
 * JSON messages (see @google/genai's `LiveServerMessage` / `LiveClientMessage`).
 *
 *   const fake = await FakeGeminiLive.start();          // apiKey 'test-key'
 *   new GeminiRealtime({ apiKey: fake.apiKey, baseUrl: fake.baseUrl })
 *   fake.script.turns.push({ userText: ['Hi'], answerText: ['Hello!'], answerAudioMs: 400 });
 *   await fake.waitFor(() => fake.latest?.turns[0]?.completed);
 *   await fake.close();
 *
 * Path: `/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent`, or
 * `v1alpha` (any run of slashes: the SDK sends `//ws/...`); other paths get HTTP 404. `?key=` must equal
 * `apiKey`, else the setup is closed with 1008 like the real service.
 *
 * Behaviour (`fake.script`, see script.ts; change it any time):
 * - answers `setup` with `setupComplete`, then a `sessionResumptionUpdate` handle when the
 *   setup asked for resumption; a new handle after every turn; `resumable: false` mid-turn;
 * - with automatic activity detection (the default), once `respondAfterAudioMs` of voiced input
 *   audio (RMS above ~-50 dBFS: a stand-in for the service's voice activity detection) has
 *   arrived since the last turn (and with any detection, on `clientContent` with
 *   `turnComplete`), plays the next turn: input transcription deltas, an optional `toolCall`
 *   (waiting for the `toolResponse` of every call), model audio (a 440 Hz tone at 24 kHz in
 *   `chunkMs` chunks, `paceFactor` times faster than real time) with output transcription
 *   deltas, `generationComplete`, `turnComplete`, `usageMetadata`; or `interrupted` +
 *   `turnComplete` after `interruptAfterChunks` chunks;
 * - manual activity detection (`realtimeInputConfig.automaticActivityDetection.disabled: true`):
 *   only voiced audio between `realtimeInput.activityStart` and `activityEnd` makes a user turn;
 *   its `userText` is sent once the activity holds `respondAfterAudioMs` of voiced audio (or at
 *   `activityEnd`); with `script.heard`, each utterance in the activity is transcribed as the
 *   next of those instead, and the turn plays at `activityEnd` (after the playing one, if any); an
 *   activity without voiced audio gets no answer. `activityStart` during an answer cuts it
 *   before its next audio chunk (`interrupted` + `turnComplete`; a turn waiting for a
 *   `toolResponse` is cut once it comes) unless `activityHandling` is `NO_INTERRUPTION`. Like the
 *   service, it closes with 1007 on `activityStart` inside an open activity, `activityEnd`
 *   without one, or either of them when automatic detection is on;
 * - automatic detection: `realtimeInput.audioStreamEnd` flushes: voiced audio shorter than
 *   `respondAfterAudioMs` since the last turn is answered now (ignored with manual activity);
 *   `turnCoverage` and `proactivity` are recorded, not acted on;
 * - refuses a resumed setup whose handle it never issued (1007); `forgetHandles()` makes every
 *   issued handle unknown; `script.rejectSetups` closes the next N setups with a code.
 * Per connection (`fake.connections`, `fake.latest`): `drop(code)`, `kill()` (no close frame:
 * 1006), `goAway(timeLeftMs)`, `sendHandle()`, `send(message)`, and what it recorded: `path`,
 * `key`, `setup` (typed `realtimeInputConfig`, `proactivity`), `audio` / `audioMs`,
 * `activityEvents` (each `activityStart` / `activityEnd` / `audioStreamEnd` with the `audioMs`
 * at which it came), `clientContents`, `toolResponses`, `videoFrames`, `turns` (with
 * `audioMsSent`, `interrupted` / `interruptedAtMs`, `completed`, and `firstAudioAtMs`, the
 * `performance.now()` at which a turn's first audio byte was sent, for benchmarks; also
 * reported through `onFirstAudio`), `closedBy`, `closeCode`.
 * `openCount` counts open sockets.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { ChangeWaiters } from '../support/change-waiters.js';
import { FakeLiveConnection, type FakeLiveHost, type FakeTurnRecord } from './connection.js';
import { defaultScript, type FakeLiveScript } from './script.js';

export const LIVE_PATH = '/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent';
/** The same service on API v1alpha, where preview features such as proactive audio are. */
export const LIVE_ALPHA_PATH = '/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContent';

export class FakeGeminiLive implements FakeLiveHost {
  readonly apiKey: string;
  readonly baseUrl: string;
  script: FakeLiveScript = defaultScript();
  readonly connections: FakeLiveConnection[] = [];
  /** Called with each turn's record when its first audio chunk is about to be sent. */
  onFirstAudio: ((record: FakeTurnRecord) => void) | undefined;

  readonly #server: http.Server;
  readonly #wss: WebSocketServer;
  readonly #handles = new Set<string>();
  readonly #waiters = new ChangeWaiters('FakeGeminiLive', 5_000);
  #handleCounter = 0;

  private constructor(server: http.Server, wss: WebSocketServer, apiKey: string) {
    this.#server = server;
    this.#wss = wss;
    this.apiKey = apiKey;
    this.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  static async start(options: { apiKey?: string } = {}): Promise<FakeGeminiLive> {
    const server = http.createServer((_request, response) => response.writeHead(404).end());
    const wss = new WebSocketServer({ noServer: true });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const fake = new FakeGeminiLive(server, wss, options.apiKey ?? 'test-key');
    server.on('upgrade', (request, socket, head) => {
      // Not `new URL(path, base)`: it would read the SDK's `//ws/...` as a host named "ws".
      const [path = '/', query = ''] = (request.url ?? '/').split('?', 2);
      const normalised = path.replace(/\/{2,}/g, '/');
      if (normalised !== LIVE_PATH && normalised !== LIVE_ALPHA_PATH) {
        socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
        return;
      }
      wss.handleUpgrade(request, socket, head, (ws) => {
        fake.connections.push(new FakeLiveConnection(ws, path, new URLSearchParams(query), fake));
        fake.changed();
      });
    });
    return fake;
  }

  /** The most recent connection. */
  get latest(): FakeLiveConnection | undefined {
    return this.connections.at(-1);
  }

  /** Sockets open now. */
  get openCount(): number {
    return this.connections.filter((connection) => connection.open).length;
  }

  /** Resolves when `condition` holds, re-checked whenever the fake records something. */
  waitFor<T>(condition: () => T | undefined | null | false | 0, options: { timeoutMs?: number; what?: string } = {}): Promise<T> {
    return this.#waiters.waitFor(condition, options);
  }

  /** Makes every handle issued so far unknown (a resumed setup with one is refused). */
  forgetHandles(): void {
    this.#handles.clear();
  }

  async close(): Promise<void> {
    for (const connection of this.connections) connection.kill();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  // ---- FakeLiveHost ----

  newHandle(): string {
    const handle = `handle-${++this.#handleCounter}`;
    this.#handles.add(handle);
    return handle;
  }

  knowsHandle(handle: string): boolean {
    return this.#handles.has(handle);
  }

  changed(): void {
    this.#waiters.changed();
  }

  firstAudio(record: FakeTurnRecord): void {
    this.onFirstAudio?.(record);
  }
}
