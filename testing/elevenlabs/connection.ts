/**
 * One client socket of the fake ElevenLabs server, speaking the text-to-speech WebSocket
 * ("stream-input") protocol as ElevenLabs documents it and @elevenlabs/elevenlabs-js types it
 * (`InitializeConnection`, `SendText`, `CloseConnection` in; `AudioOutput`, `FinalOutput` out):
 *
 * - the key comes in the `xi-api-key` header or in the first message (`xi_api_key`, or
 *   `xi-api-key` as the SDK's serializer names it); a wrong or missing one closes the socket
 *   with 1008 (policy violation) and a reason, as the service does;
 * - the first message is `{ text: " ", voice_settings?, generation_config? }`;
 * - `{ text }` adds to the buffer; with `flush: true` or `try_trigger_generation: true` the
 *   buffer is voiced at once (the service would wait for `chunk_length_schedule` characters
 *   before voicing without a trigger; the fake waits for the end instead);
 * - `{ text: "" }` voices what is left, then sends `{ isFinal: true }` and closes with 1000;
 * - each voicing comes as `{ audio: base64 PCM, alignment, normalizedAlignment }` messages at
 *   the `output_format` rate (only `pcm_<rate>` formats; the fake has no MP3 encoder), times in
 *   the alignment relative to the chunk they come with;
 * - no text for `inactivity_timeout` seconds (default 20) closes with 1008, as the service does.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WebSocket } from 'ws';
import { speakText } from './voice.js';

/** What the connection needs from its server. */
export interface FakeElevenLabsHost {
  readonly apiKey: string;
  readonly options: FakeElevenLabsBehaviour;
  /** Something was recorded: wakes `waitFor`. */
  changed(): void;
}

export interface FakeElevenLabsBehaviour {
  /** How long each character of the text sounds, in ms. Default 60. */
  msPerChar: number;
  /** Length of each audio message, in ms of audio. Default 100. */
  chunkMs: number;
  /** Pause between receiving a text to voice and sending its first audio, in ms. Default 0. */
  firstByteDelayMs: number;
  /** Pause between audio messages, in ms (0: as fast as the socket takes them). Default 0. */
  chunkIntervalMs: number;
}

/** A message from a stream-input client, as the fake reads it. */
export interface StreamInputMessage {
  text?: string;
  flush?: boolean;
  try_trigger_generation?: boolean;
  voice_settings?: Record<string, unknown>;
  generation_config?: Record<string, unknown>;
  xi_api_key?: string;
  'xi-api-key'?: string;
  [key: string]: unknown;
}

export const OUTPUT_FORMATS: Record<string, number> = {
  pcm_8000: 8000,
  pcm_16000: 16000,
  pcm_22050: 22050,
  pcm_24000: 24000,
  pcm_44100: 44100,
  pcm_48000: 48000,
};

export class FakeElevenLabsConnection {
  readonly voiceId: string;
  /** The query parameters of the connection (`model_id`, `output_format`, `sync_alignment`, `inactivity_timeout`, …). */
  readonly query: URLSearchParams;
  /** The key the client sent, from the header or the first message. */
  key: string | undefined;
  /** Every message received, parsed, in order. */
  readonly messages: StreamInputMessage[] = [];
  /** The texts received after the first message, in order, the end message's `""` left out. */
  readonly texts: string[] = [];
  /** The texts voiced, one per voicing. */
  readonly voiced: string[] = [];
  voiceSettings: Record<string, unknown> | undefined;
  generationConfig: Record<string, unknown> | undefined;
  /** Milliseconds of audio sent. */
  audioMsSent = 0;
  /** The client sent `{ text: "" }`. */
  ended = false;
  /** `{ isFinal: true }` was sent. */
  finalSent = false;
  /** False once either side began closing. */
  open = true;
  closeCode: number | undefined;
  /** Who closed the socket first. */
  closedBy: 'client' | 'server' | undefined;

  readonly #ws: WebSocket;
  readonly #host: FakeElevenLabsHost;
  readonly #sampleRate: number | undefined;
  #buffer = '';
  /** Voicings run one after the other, in the order their text came. */
  #speaking: Promise<void> = Promise.resolve();
  #inactivityTimer: NodeJS.Timeout | undefined;

  constructor(ws: WebSocket, voiceId: string, query: URLSearchParams, headers: IncomingHttpHeaders, host: FakeElevenLabsHost) {
    this.#ws = ws;
    this.#host = host;
    this.voiceId = voiceId;
    this.query = query;
    this.#sampleRate = OUTPUT_FORMATS[query.get('output_format') ?? 'mp3_44100_128'];
    const headerKey = headers['xi-api-key'];
    this.key = Array.isArray(headerKey) ? headerKey[0] : headerKey;

    ws.on('message', (data) => this.#receive(String(data)));
    ws.on('close', (code) => {
      this.open = false;
      this.closeCode = code;
      this.closedBy ??= 'client';
      clearTimeout(this.#inactivityTimer);
      host.changed();
    });
    if (this.key !== undefined && this.key !== host.apiKey) {
      this.#close(1008, 'Invalid API key');
      return;
    }
    if (this.#sampleRate === undefined) {
      this.#close(1008, `The fake only speaks pcm output formats, not ${query.get('output_format') ?? 'the default mp3_44100_128'}`);
      return;
    }
    this.#armInactivityTimer();
  }

  /** Closes the socket from the server's side with a close frame. */
  drop(code = 1011, reason = 'Internal server error'): void {
    this.#close(code, reason);
  }

  /** Cuts the socket without a close frame, as a network failure does (the client sees 1006). */
  kill(): void {
    this.closedBy ??= 'server';
    this.open = false;
    clearTimeout(this.#inactivityTimer);
    this.#ws.terminate();
  }

  #receive(raw: string): void {
    let message: StreamInputMessage;
    try {
      message = JSON.parse(raw) as StreamInputMessage;
    } catch {
      this.#close(1007, 'Invalid JSON');
      return;
    }
    const first = this.messages.length === 0;
    this.messages.push(message);
    if (first) this.#initialize(message);
    else this.#addText(message);
    this.#host.changed();
  }

  #initialize(message: StreamInputMessage): void {
    this.key ??= message.xi_api_key ?? message['xi-api-key'];
    if (this.key !== this.#host.apiKey) {
      this.#close(1008, 'Invalid API key');
      return;
    }
    if (message.text !== ' ') {
      this.#close(1008, 'The first message must have text " " (a single space)');
      return;
    }
    this.voiceSettings = message.voice_settings;
    this.generationConfig = message.generation_config;
    this.#armInactivityTimer();
  }

  #addText(message: StreamInputMessage): void {
    if (typeof message.text !== 'string') {
      this.#close(1008, 'Every message needs a text field');
      return;
    }
    if (message.text === '') {
      this.ended = true;
      clearTimeout(this.#inactivityTimer);
      this.#voice(this.#buffer);
      this.#buffer = '';
      this.#speaking = this.#speaking.then(() => this.#finish());
      return;
    }
    this.texts.push(message.text);
    this.#buffer += message.text;
    this.#armInactivityTimer();
    if (message.flush || message.try_trigger_generation) {
      this.#voice(this.#buffer);
      this.#buffer = '';
    }
  }

  #voice(text: string): void {
    if (!text.trim()) return;
    this.#speaking = this.#speaking.then(() => this.#send(text));
  }

  async #send(text: string): Promise<void> {
    if (!this.open) return;
    const { msPerChar, chunkMs, firstByteDelayMs, chunkIntervalMs } = this.#host.options;
    this.voiced.push(text);
    this.#host.changed();
    if (firstByteDelayMs > 0) await sleep(firstByteDelayMs);
    const sampleRate = this.#sampleRate as number;
    for (const chunk of speakText(text, { sampleRate, msPerChar, chunkMs })) {
      if (!this.open) return;
      const alignment = chunk.alignment.chars.length > 0 ? chunk.alignment : null;
      const audio = Buffer.from(chunk.samples.buffer, chunk.samples.byteOffset, chunk.samples.byteLength).toString('base64');
      this.#ws.send(JSON.stringify({ audio, isFinal: null, normalizedAlignment: alignment, alignment }));
      this.audioMsSent += (chunk.samples.length / sampleRate) * 1000;
      this.#host.changed();
      // A pause between messages, even of 0 ms, lets the client's messages (an abort) arrive meanwhile.
      await sleep(chunkIntervalMs);
    }
  }

  #finish(): void {
    if (!this.open) return;
    this.#ws.send(JSON.stringify({ isFinal: true }));
    this.finalSent = true;
    this.#close(1000, '');
  }

  #armInactivityTimer(): void {
    clearTimeout(this.#inactivityTimer);
    const seconds = Number(this.query.get('inactivity_timeout') ?? 20);
    this.#inactivityTimer = setTimeout(() => {
      this.#close(
        1008,
        `Have not received a new text input within the timeout of ${seconds} seconds. Streaming input terminated. ` +
          'Please make sure to either feed the input in the timely manner, or to send the end of input text (empty string "") when done.',
      );
    }, seconds * 1000);
  }

  #close(code: number, reason: string): void {
    if (!this.open) return;
    this.closedBy ??= 'server';
    this.open = false;
    clearTimeout(this.#inactivityTimer);
    // A close frame's reason holds at most 123 bytes; the service's longer reasons arrive cut off.
    this.#ws.close(code, Buffer.from(reason).subarray(0, 123).toString());
    this.#host.changed();
  }
}
