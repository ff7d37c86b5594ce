/**
 * One client socket of the fake Deepgram: reads the query the client opened it with, counts
 * the audio it receives, and answers as the live /v1/listen service does, on the clock of the
 * received audio: `SpeechStarted` (with `vad_events=true`) when a scripted utterance begins,
 * interim `Results` while it is spoken (with `interim_results=true`), a final one with
 * `speech_final` once `endpointing` ms of audio followed its last word, `UtteranceEnd` once
 * `utterance_end_ms` did; empty finals over silence. `Finalize` finalises what was heard so
 * far (`from_finalize: true`); `CloseStream` (or an empty binary frame, as the service reads it)
 * finalises, sends `Metadata` and closes with 1000.
 */
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import { metadataMessage, resultsMessage, speechStartedMessage, spreadWords, utteranceEndMessage, type FakeWord } from './messages.js';
import type { FakeDeepgramScript, FakeUtterance } from './script.js';

/** What the connection needs from its server. */
export interface FakeDeepgramHost {
  /** Something was recorded: wakes `waitFor`. */
  changed(): void;
  /** A message has just gone out on a socket (benchmarks time results by it). */
  sentMessage(message: Record<string, unknown>, connection: FakeDeepgramConnection): void;
}

/** The service's default when `endpointing` is not given, in ms. */
const DEFAULT_ENDPOINTING_MS = 10;
const DEFAULT_CONFIDENCE = 0.98;

interface Heard {
  utterance: FakeUtterance;
  words: FakeWord[];
  /** Words already sent in a final result. */
  finalised: number;
  started: boolean;
}

export class FakeDeepgramConnection {
  readonly path: string;
  /** The query the client connected with (`model`, `language`, `encoding`, `sample_rate`, …). */
  readonly query: URLSearchParams;
  /** The API key the client authenticated with, and how it sent it. */
  readonly key: string;
  readonly authScheme: 'header' | 'subprotocol';
  readonly requestId = randomUUID();
  /** Binary frames received, in order. */
  readonly audio: Buffer[] = [];
  bytesReceived = 0;
  keepAlives = 0;
  finalizes = 0;
  closeStreams = 0;
  /** Every JSON message the fake sent, in order. */
  readonly sent: Record<string, unknown>[] = [];
  /** Text messages from the client that were not JSON or of an unknown type. */
  readonly unknownMessages: string[] = [];
  open = true;
  closeCode: number | undefined;
  /** Who ended the socket: the `client`, the `server` (a close frame), or `dropped` (no close frame). */
  closedBy: 'client' | 'server' | 'dropped' | undefined;

  readonly #ws: WebSocket;
  readonly #script: FakeDeepgramScript;
  readonly #host: FakeDeepgramHost;
  readonly #bytesPerMs: number;
  readonly #interim: boolean;
  readonly #vadEvents: boolean;
  readonly #endpointingMs: number | undefined;
  readonly #utteranceEndMs: number | undefined;
  readonly #model: string;
  #next = 0;
  #current: Heard | undefined;
  #lastFinalEndMs = 0;
  #lastInterimAtMs = 0;
  #utteranceEnd: { afterMs: number; lastWordEndMs: number } | undefined;
  #idleTimer: NodeJS.Timeout | undefined;

  constructor(ws: WebSocket, init: { path: string; query: URLSearchParams; key: string; authScheme: 'header' | 'subprotocol'; script: FakeDeepgramScript; host: FakeDeepgramHost }) {
    this.#ws = ws;
    this.path = init.path;
    this.query = init.query;
    this.key = init.key;
    this.authScheme = init.authScheme;
    this.#script = { ...init.script, utterances: [...init.script.utterances] };
    this.#host = init.host;
    const sampleRate = Number(this.query.get('sample_rate') ?? 16_000);
    const channels = Number(this.query.get('channels') ?? 1);
    this.#bytesPerMs = (sampleRate * channels * 2) / 1000;
    this.#interim = this.query.get('interim_results') === 'true';
    this.#vadEvents = this.query.get('vad_events') === 'true';
    const endpointing = this.query.get('endpointing');
    this.#endpointingMs = endpointing === 'false' ? undefined : endpointing === null ? DEFAULT_ENDPOINTING_MS : Number(endpointing);
    const utteranceEnd = this.query.get('utterance_end_ms');
    this.#utteranceEndMs = utteranceEnd === null ? undefined : Number(utteranceEnd);
    this.#model = this.query.get('model') ?? 'base';

    ws.on('message', (data, isBinary) => this.#receive(data as Buffer, isBinary));
    ws.on('close', (code) => {
      this.open = false;
      this.closeCode ??= code;
      this.closedBy ??= 'client';
      clearTimeout(this.#idleTimer);
      this.#host.changed();
    });
    ws.on('error', () => {});
    this.#armIdleTimer();
  }

  /** Received audio, in ms. */
  get audioMs(): number {
    return this.bytesReceived / this.#bytesPerMs;
  }

  /**
   * Adds an utterance to this socket's script while it runs, placed on its audio clock (for a
   * test that plays speech at a moment it picks: `startMs` just ahead of `audioMs`). Utterances
   * are heard in the order of their start.
   */
  hear(utterance: FakeUtterance): void {
    const pending = this.#script.utterances.slice(this.#next);
    pending.push(utterance);
    pending.sort((a, b) => a.startMs - b.startMs);
    this.#script.utterances.splice(this.#next, Infinity, ...pending);
  }

  /** Drops the utterances not begun yet (speech a test scripted that never reached the socket). */
  forgetUnheard(): void {
    const started = this.#script.utterances.slice(this.#next).filter((utterance) => utterance.startMs <= this.audioMs);
    this.#script.utterances.splice(this.#next, Infinity, ...started);
  }

  /** Ends the socket without a close frame, as a network failure does (the client sees 1006). */
  drop(): void {
    if (!this.open) return;
    this.closedBy = 'dropped';
    this.closeCode = 1006;
    this.#ws.terminate();
  }

  /** Closes the socket with a close frame, as the service does (1011 on a timeout, 1008 on undecodable audio). */
  close(code: number, reason: string): void {
    if (!this.open) return;
    this.closedBy = 'server';
    this.closeCode = code;
    this.#ws.close(code, reason);
  }

  /** Sends any message, as is, after the script's `latencyMs`. */
  send(message: Record<string, unknown>): void {
    this.#later(() => {
      if (!this.open) return;
      this.sent.push(message);
      this.#ws.send(JSON.stringify(message));
      this.#host.sentMessage(message, this);
      this.#host.changed();
    });
  }

  /** Runs `action` after the script's `latencyMs`; equal delays keep the order of what was sent. */
  #later(action: () => void): void {
    if (this.#script.latencyMs <= 0) return action();
    setTimeout(action, this.#script.latencyMs).unref();
  }

  #receive(data: Buffer, isBinary: boolean): void {
    if (!this.open) return;
    this.#armIdleTimer();
    if (isBinary && data.length === 0) {
      // The service reads an empty binary frame as the old way of asking to close the stream.
      this.#closeStream();
      this.#host.changed();
      return;
    }
    if (isBinary) {
      this.audio.push(Buffer.from(data));
      this.bytesReceived += data.length;
      this.#advance();
      this.#host.changed();
      return;
    }
    const text = data.toString('utf8');
    let type: unknown;
    try {
      type = (JSON.parse(text) as { type?: unknown }).type;
    } catch {
      type = undefined;
    }
    if (type === 'KeepAlive') this.keepAlives++;
    else if (type === 'Finalize') {
      this.finalizes++;
      this.#finalise(true);
    } else if (type === 'CloseStream') {
      this.closeStreams++;
      this.#closeStream();
    } else this.unknownMessages.push(text);
    this.#host.changed();
  }

  /** What is heard so far becomes final, then `Metadata`, then a normal close. */
  #closeStream(): void {
    this.#finalise(false);
    this.send(metadataMessage(this.requestId, this.audioMs, this.#model));
    this.#later(() => this.close(1000, ''));
  }

  /** Plays whatever the received audio has now reached. */
  #advance(): void {
    const nowMs = this.audioMs;
    for (;;) {
      this.#maybeUtteranceEnd(nowMs);
      const heard = this.#current ?? this.#startNext(nowMs);
      if (!heard) {
        this.#silenceFinals(nowMs);
        return;
      }
      const { utterance } = heard;
      if (!heard.started) {
        heard.started = true;
        if (this.#vadEvents) this.send(speechStartedMessage(utterance.startMs));
      }
      const finalAtMs = utterance.endMs + (this.#endpointingMs ?? 0);
      if (nowMs < finalAtMs) {
        if (this.#interim && nowMs - this.#lastInterimAtMs >= this.#script.interimEveryMs) this.#sendInterim(heard, nowMs);
        return;
      }
      this.#sendFinal(heard.words.slice(heard.finalised), finalAtMs, { speechFinal: this.#endpointingMs !== undefined, fromFinalize: false }, utterance.confidence);
      this.#finishUtterance(heard);
    }
  }

  /** The next scripted utterance once the audio has reached its start; silence before it is finalised first. */
  #startNext(nowMs: number): Heard | undefined {
    const utterance = this.#script.utterances[this.#next];
    if (!utterance || nowMs < utterance.startMs) return undefined;
    this.#silenceFinals(utterance.startMs);
    this.#next++;
    this.#current = { utterance, words: spreadWords(utterance.text, utterance.startMs, utterance.endMs), finalised: 0, started: false };
    this.#lastInterimAtMs = utterance.startMs;
    return this.#current;
  }

  #sendInterim(heard: Heard, nowMs: number): void {
    this.#lastInterimAtMs = nowMs;
    const words = heard.words.slice(heard.finalised).filter((word) => word.startMs < nowMs);
    this.send(this.#results(words, this.#lastFinalEndMs, nowMs, { isFinal: false, speechFinal: false, fromFinalize: false }, heard.utterance.confidence));
  }

  #sendFinal(words: FakeWord[], endMs: number, flags: { speechFinal: boolean; fromFinalize: boolean }, confidence?: number): void {
    this.send(this.#results(words, this.#lastFinalEndMs, endMs, { isFinal: true, ...flags }, confidence));
    this.#lastFinalEndMs = endMs;
  }

  #finishUtterance(heard: Heard): void {
    heard.finalised = heard.words.length;
    this.#current = undefined;
    if (this.#utteranceEndMs !== undefined) {
      this.#utteranceEnd = { afterMs: heard.utterance.endMs + this.#utteranceEndMs, lastWordEndMs: heard.words.at(-1)?.endMs ?? heard.utterance.endMs };
    }
  }

  /** `UtteranceEnd` once enough audio without words followed the last one (and no new speech began in it). */
  #maybeUtteranceEnd(nowMs: number): void {
    const pending = this.#utteranceEnd;
    if (!pending) return;
    const next = this.#script.utterances[this.#next];
    if (this.#current || (next && next.startMs < pending.afterMs && nowMs >= next.startMs)) {
      this.#utteranceEnd = undefined;
      return;
    }
    if (nowMs < pending.afterMs) return;
    this.#utteranceEnd = undefined;
    this.send(utteranceEndMessage(pending.lastWordEndMs));
  }

  #silenceFinals(untilMs: number): void {
    while (untilMs - this.#lastFinalEndMs >= this.#script.silenceFinalEveryMs) {
      this.#sendFinal([], this.#lastFinalEndMs + this.#script.silenceFinalEveryMs, { speechFinal: false, fromFinalize: false });
    }
  }

  /** Finalize and CloseStream: what was heard so far becomes final, at once. */
  #finalise(fromFinalize: boolean): void {
    const nowMs = this.audioMs;
    this.#advance();
    const heard = this.#current;
    const words = heard ? heard.words.slice(heard.finalised).filter((word) => word.startMs < nowMs) : [];
    if (nowMs <= this.#lastFinalEndMs && words.length === 0) {
      if (fromFinalize) this.#sendFinal([], nowMs, { speechFinal: false, fromFinalize });
      return;
    }
    this.#sendFinal(words, Math.max(nowMs, this.#lastFinalEndMs), { speechFinal: false, fromFinalize }, heard?.utterance.confidence);
    if (heard) {
      heard.finalised += words.length;
      if (heard.finalised === heard.words.length) this.#finishUtterance(heard);
    }
  }

  #results(words: FakeWord[], startMs: number, endMs: number, flags: { isFinal: boolean; speechFinal: boolean; fromFinalize: boolean }, confidence = DEFAULT_CONFIDENCE): Record<string, unknown> {
    return resultsMessage({ words, startMs, endMs, ...flags, confidence, requestId: this.requestId, model: this.#model });
  }

  #armIdleTimer(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => this.close(1011, 'NET-0001: no audio or message received within the timeout'), this.#script.idleTimeoutMs);
    this.#idleTimer.unref();
  }
}
