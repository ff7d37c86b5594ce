/**
 * One client socket of the fake Live server: records what the client sends and plays the
 * script back in the Live API's message shapes (`LiveServerMessage` of @google/genai).
 */
import type { WebSocket } from 'ws';
import { pcmDurationMs, pcmToBase64, tone } from './pcm.js';
import type { FakeLiveScript, FakeTurn } from './script.js';

const INPUT_RATE = 16_000;
const OUTPUT_RATE = 24_000;

/** What the connection needs from its server. */
export interface FakeLiveHost {
  readonly script: FakeLiveScript;
  /** The API key the client must send as `?key=`. */
  readonly apiKey: string;
  /** Issues a new resumption handle, remembered server-wide. */
  newHandle(): string;
  knowsHandle(handle: string): boolean;
  /** Something was recorded: wakes `waitFor`. */
  changed(): void;
  /** A turn's first audio chunk is about to be sent. */
  firstAudio(record: FakeTurnRecord): void;
}

export interface FakeTurnRecord {
  /** `performance.now()` just before the first audio byte of the turn was sent. */
  firstAudioAtMs: number | undefined;
  /** Model audio sent in this turn. */
  audioMsSent: number;
  interrupted: boolean;
  /** `performance.now()` just before `interrupted` was sent, for benchmarks. */
  interruptedAtMs?: number;
  completed: boolean;
}

export interface FakeSetup {
  model?: string;
  generationConfig?: {
    responseModalities?: string[];
    speechConfig?: { voiceConfig?: { prebuiltVoiceConfig?: { voiceName?: string } }; languageCode?: string };
  };
  systemInstruction?: { parts?: { text?: string }[] };
  tools?: { functionDeclarations?: { name: string; description?: string; parameters?: Record<string, unknown> }[] }[];
  realtimeInputConfig?: FakeRealtimeInputConfig;
  /** Native-audio models: the model may stay silent on input not meant for it (recorded only). */
  proactivity?: { proactiveAudio?: boolean };
  sessionResumption?: { handle?: string };
  contextWindowCompression?: Record<string, unknown>;
  inputAudioTranscription?: Record<string, unknown>;
  outputAudioTranscription?: Record<string, unknown>;
  [key: string]: unknown;
}

/** `setup.realtimeInputConfig` as the client sent it (`RealtimeInputConfig` of @google/genai). */
export interface FakeRealtimeInputConfig {
  /** Unset or `disabled: false`: the service detects speech; `disabled: true`: the client sends `activityStart`/`activityEnd`. */
  automaticActivityDetection?: {
    disabled?: boolean;
    startOfSpeechSensitivity?: 'START_SENSITIVITY_UNSPECIFIED' | 'START_SENSITIVITY_HIGH' | 'START_SENSITIVITY_LOW';
    endOfSpeechSensitivity?: 'END_SENSITIVITY_UNSPECIFIED' | 'END_SENSITIVITY_HIGH' | 'END_SENSITIVITY_LOW';
    prefixPaddingMs?: number;
    silenceDurationMs?: number;
  };
  /** Unset means `START_OF_ACTIVITY_INTERRUPTS` (barge-in cuts the model's answer). */
  activityHandling?: 'ACTIVITY_HANDLING_UNSPECIFIED' | 'START_OF_ACTIVITY_INTERRUPTS' | 'NO_INTERRUPTION';
  /** Recorded only: the fake's turns are made of voiced audio either way. */
  turnCoverage?:
    | 'TURN_COVERAGE_UNSPECIFIED'
    | 'TURN_INCLUDES_ONLY_ACTIVITY'
    | 'TURN_INCLUDES_ALL_INPUT'
    | 'TURN_INCLUDES_AUDIO_ACTIVITY_AND_ALL_VIDEO';
  [key: string]: unknown;
}

/** A turn-control message of the client (`realtimeInput.activityStart` / `activityEnd` / `audioStreamEnd`). */
export interface FakeActivityEvent {
  type: 'activityStart' | 'activityEnd' | 'audioStreamEnd';
  /** The connection's `audioMs` when it arrived: where in the input audio it stands. */
  atAudioMs: number;
}

export interface FakeFunctionResponse {
  id?: string;
  name?: string;
  response?: Record<string, unknown>;
}

/** A message from a Live API client, as the fake reads it. */
export type LiveClientMessage = {
  setup?: FakeSetup;
  realtimeInput?: {
    audio?: { data?: string; mimeType?: string };
    video?: { data?: string; mimeType?: string };
    text?: string;
    /** The SDK sends `{}`; only its presence counts. */
    activityStart?: Record<string, never>;
    activityEnd?: Record<string, never>;
    audioStreamEnd?: boolean;
  };
  clientContent?: { turns?: { role?: string; parts?: { text?: string }[] }[]; turnComplete?: boolean };
  toolResponse?: { functionResponses?: FakeFunctionResponse[] };
};

export class FakeLiveConnection {
  /** The request path as the client sent it (the SDK's has a double slash). */
  readonly path: string;
  /** The `key` query parameter. */
  readonly key: string | null;
  setup: FakeSetup | undefined;
  /** True once `setupComplete` was sent. */
  accepted = false;
  /** Received input audio. */
  readonly audio = { chunks: 0, bytes: 0, mimeTypes: new Set<string>() };
  readonly clientContents: NonNullable<LiveClientMessage['clientContent']>[] = [];
  readonly realtimeTexts: string[] = [];
  readonly toolResponses: FakeFunctionResponse[][] = [];
  readonly videoFrames: { mimeType: string; bytes: number }[] = [];
  readonly turns: FakeTurnRecord[] = [];
  /** The client's turn-control messages, in order of arrival. */
  readonly activityEvents: FakeActivityEvent[] = [];
  /** Handles sent on this connection, in order. */
  readonly handlesSent: string[] = [];
  open = true;
  /** Who closed the socket and with which code (as seen by the server). */
  closedBy: 'client' | 'server' | undefined;
  closeCode: number | undefined;

  readonly #ws: WebSocket;
  readonly #host: FakeLiveHost;
  #audioSinceTurnBytes = 0;
  #playing = false;
  /** Set by a barge-in (`activityStart`): the playing turn stops before its next chunk. */
  #interruptRequested = false;
  /** Manual activity detection: the activity the client opened and has not ended yet. */
  #activity: OpenActivity | undefined;
  /** An answer that waits for the playing turn to end (a manual turn ended during a `NO_INTERRUPTION` answer). */
  #queuedTurn: FakeTurn | undefined;
  #nextCallId = 1;
  #awaitingTools: { ids: Set<string>; resolve: () => void } | undefined;

  constructor(ws: WebSocket, path: string, query: URLSearchParams, host: FakeLiveHost) {
    this.#ws = ws;
    this.#host = host;
    this.path = path;
    this.key = query.get('key');
    ws.on('message', (data) => this.#onMessage(JSON.parse(data.toString()) as LiveClientMessage));
    ws.on('close', (code) => {
      this.open = false;
      this.closedBy ??= 'client';
      this.closeCode ??= code;
      this.#awaitingTools?.resolve();
      host.changed();
    });
  }

  /** Milliseconds of 16 kHz input audio received. */
  get audioMs(): number {
    return pcmDurationMs(this.audio.bytes, INPUT_RATE);
  }

  /** Sends any server message (JSON, as a binary frame like the real service). */
  send(message: Record<string, unknown>): void {
    if (this.open) this.#ws.send(Buffer.from(JSON.stringify(message)));
  }

  /** Closes from the server side with `code` (1011 by default: an internal error). */
  drop(code = 1011, reason = 'Internal error encountered.'): void {
    if (!this.open) return;
    this.closedBy = 'server';
    this.closeCode = code;
    this.#ws.close(code, reason);
  }

  /** Cuts the TCP connection without a close frame (the client sees 1006). */
  kill(): void {
    if (!this.open) return;
    this.closedBy = 'server';
    this.closeCode = 1006;
    this.#ws.terminate();
  }

  /** Warns the client, then drops the socket when `timeLeftMs` has passed. */
  goAway(timeLeftMs: number): void {
    this.send({ goAway: { timeLeft: `${timeLeftMs / 1000}s` } });
    const timer = setTimeout(() => this.drop(1011, 'Session expired after goAway.'), timeLeftMs);
    this.#ws.once('close', () => clearTimeout(timer));
  }

  /** Sends a fresh resumption handle. */
  sendHandle(): void {
    const handle = this.#host.newHandle();
    this.handlesSent.push(handle);
    this.send({ sessionResumptionUpdate: { newHandle: handle, resumable: true } });
  }

  /** Plays a turn now (also used by the audio and clientContent triggers). */
  async playTurn(turn: FakeTurn, options: { withUserText: boolean }): Promise<void> {
    if (this.#playing || !this.open) return;
    this.#playing = true;
    this.#interruptRequested = false;
    const record: FakeTurnRecord = { firstAudioAtMs: undefined, audioMsSent: 0, interrupted: false, completed: false };
    this.turns.push(record);
    try {
      await this.#play(turn, record, options.withUserText);
    } finally {
      this.#playing = false;
      this.#host.changed();
    }
    const queued = this.#queuedTurn;
    this.#queuedTurn = undefined;
    if (queued) await this.playTurn(queued, { withUserText: false });
  }

  async #play(turn: FakeTurn, record: FakeTurnRecord, withUserText: boolean): Promise<void> {
    const script = this.#host.script;
    if (withUserText) this.#sendUserText(turn);
    if (this.#resumable()) this.send({ sessionResumptionUpdate: { resumable: false } });
    if (turn.toolCalls?.length) {
      const calls = turn.toolCalls.map((call) => ({ id: `call-${this.#nextCallId++}`, name: call.name, args: call.args ?? {} }));
      const answered = new Promise<void>((resolve) => (this.#awaitingTools = { ids: new Set(calls.map((c) => c.id)), resolve }));
      this.send({ toolCall: { functionCalls: calls } });
      await answered;
      this.#awaitingTools = undefined;
      if (!this.open) return;
    }

    const chunkMs = turn.chunkMs ?? 40;
    const chunkCount = Math.max(1, Math.ceil((turn.answerAudioMs ?? 480) / chunkMs));
    const lastChunkMs = (turn.answerAudioMs ?? 480) - chunkMs * (chunkCount - 1);
    const texts = turn.answerText ?? [];
    let textIndex = 0;
    for (let chunk = 0; chunk < chunkCount; chunk++) {
      if (!this.open) return;
      if (this.#interruptRequested || (turn.interruptAfterChunks !== undefined && chunk >= turn.interruptAfterChunks)) {
        record.interrupted = true;
        record.interruptedAtMs = performance.now();
        this.send({ serverContent: { interrupted: true } });
        this.send({ serverContent: { turnComplete: true } });
        this.#afterTurn(record, turn);
        return;
      }
      const durationMs = chunk === chunkCount - 1 ? lastChunkMs : chunkMs;
      const data = pcmToBase64(tone(durationMs, OUTPUT_RATE));
      if (record.firstAudioAtMs === undefined) {
        record.firstAudioAtMs = performance.now();
        this.#host.firstAudio(record);
      }
      this.send({ serverContent: { modelTurn: { parts: [{ inlineData: { mimeType: `audio/pcm;rate=${OUTPUT_RATE}`, data } }] } } });
      record.audioMsSent += durationMs;
      // Tests may wait on the audio sent so far (e.g. to act in the middle of an answer).
      this.#host.changed();
      // Transcript deltas spread evenly over the audio, like the service interleaves them.
      while (textIndex < Math.min(texts.length, Math.ceil(((chunk + 1) * texts.length) / chunkCount))) {
        this.send({ serverContent: { outputTranscription: { text: texts[textIndex++] } } });
      }
      await delay(durationMs / script.paceFactor);
    }
    if (!this.open) return;
    this.send({ serverContent: { generationComplete: true } });
    this.send({ serverContent: { turnComplete: true } });
    this.#afterTurn(record, turn);
  }

  #sendUserText(turn: FakeTurn): void {
    for (const text of turn.userText ?? []) this.send({ serverContent: { inputTranscription: { text } } });
  }

  #afterTurn(record: FakeTurnRecord, turn: FakeTurn): void {
    record.completed = true;
    if (turn.usage ?? true) {
      this.send({ usageMetadata: { promptTokenCount: 12, responseTokenCount: 34, totalTokenCount: 46 } });
    }
    if (this.#resumable()) this.sendHandle();
  }

  #resumable(): boolean {
    return this.#host.script.issueHandles && this.setup?.sessionResumption !== undefined;
  }

  #onMessage(message: LiveClientMessage): void {
    if (message.setup) this.#onSetup(message.setup);
    if (message.realtimeInput) this.#onRealtimeInput(message.realtimeInput);
    if (message.clientContent) this.#onClientContent(message.clientContent);
    if (message.toolResponse) this.#onToolResponse(message.toolResponse.functionResponses ?? []);
    this.#host.changed();
  }

  #onSetup(setup: FakeSetup): void {
    this.setup = setup;
    const script = this.#host.script;
    if (this.key !== this.#host.apiKey) return this.drop(1008, 'API key not valid. Please pass a valid API key.');
    if (script.rejectSetups.count > 0) {
      script.rejectSetups.count -= 1;
      return this.drop(script.rejectSetups.code, script.rejectSetups.reason);
    }
    const handle = setup.sessionResumption?.handle;
    if (handle !== undefined && script.rejectUnknownHandles && !this.#host.knowsHandle(handle)) {
      return this.drop(1007, 'Request contains an invalid argument: unknown session resumption handle.');
    }
    this.accepted = true;
    this.send({ setupComplete: {} });
    if (this.#resumable()) this.sendHandle();
  }

  /**
   * One `realtimeInput` message. Its fields are taken in the order a speaker produces them
   * (start, audio, end), so one message may carry a whole short activity; a field that closed
   * the socket stops the rest.
   */
  #onRealtimeInput(input: NonNullable<LiveClientMessage['realtimeInput']>): void {
    const closedBefore = this.closedBy;
    const refused = () => this.closedBy !== closedBefore;
    if (input.activityStart) this.#onActivityStart();
    if (refused()) return;
    if (input.audio?.data) this.#onAudio(input.audio.data, input.audio.mimeType ?? '');
    if (input.video?.data) this.videoFrames.push({ mimeType: input.video.mimeType ?? '', bytes: Buffer.byteLength(input.video.data, 'base64') });
    if (input.text) this.realtimeTexts.push(input.text);
    if (input.activityEnd) this.#onActivityEnd();
    if (input.audioStreamEnd && !refused()) this.#onAudioStreamEnd();
  }

  /** The client turned the service's voice activity detection off and marks speech itself. */
  #manualActivity(): boolean {
    return this.setup?.realtimeInputConfig?.automaticActivityDetection?.disabled === true;
  }

  #onAudio(base64: string, mimeType: string): void {
    const bytes = Buffer.byteLength(base64, 'base64');
    this.audio.chunks += 1;
    this.audio.bytes += bytes;
    this.audio.mimeTypes.add(mimeType);
    // Like the service's voice activity detection, only speech counts towards a turn: a
    // silent microphone stream (WebRTC keeps sending) must not make the model answer.
    const voiced = isVoiced(Buffer.from(base64, 'base64'));
    const script = this.#host.script;
    if (this.#manualActivity()) {
      // Audio outside an activity is not part of any user turn.
      const activity = this.#activity;
      if (!activity) return;
      if (!voiced) {
        activity.unvoicedMs += pcmDurationMs(bytes, INPUT_RATE);
        if (activity.unvoicedMs >= UTTERANCE_GAP_MS) {
          activity.utteranceVoicedBytes = 0;
          activity.utteranceTranscribed = false;
        }
        return;
      }
      activity.unvoicedMs = 0;
      activity.voicedBytes += bytes;
      activity.utteranceVoicedBytes += bytes;
      // The service transcribes while it hears: the user's words arrive before the activity ends.
      if (!activity.utteranceTranscribed && pcmDurationMs(activity.utteranceVoicedBytes, INPUT_RATE) >= script.respondAfterAudioMs) {
        activity.utteranceTranscribed = true;
        const heard = script.heard.shift();
        if (heard !== undefined) {
          activity.heardAny = true;
          this.send({ serverContent: { inputTranscription: { text: heard } } });
        } else if (!activity.turn) {
          activity.turn = this.#nextTurn();
          this.#sendUserText(activity.turn);
        }
      }
      return;
    }
    if (voiced) this.#audioSinceTurnBytes += bytes;
    if (!this.#playing && pcmDurationMs(this.#audioSinceTurnBytes, INPUT_RATE) >= script.respondAfterAudioMs) {
      this.#answerAccumulatedAudio();
    }
  }

  /** Automatic detection: the speech since the last turn is a user turn; the model answers it. */
  #answerAccumulatedAudio(): void {
    this.#audioSinceTurnBytes = 0;
    void this.playTurn(this.#nextTurn(), { withUserText: true });
  }

  #onActivityStart(): void {
    this.activityEvents.push({ type: 'activityStart', atAudioMs: this.audioMs });
    if (!this.#manualActivity()) return this.#invalidArgument('activityStart needs automaticActivityDetection.disabled');
    if (this.#activity) return this.#invalidArgument('activityStart while an activity is already open');
    this.#activity = { voicedBytes: 0, turn: undefined, utteranceVoicedBytes: 0, unvoicedMs: 0, utteranceTranscribed: false, heardAny: false };
    // Barge-in: the user speaking cuts the model's answer unless the setup asked for NO_INTERRUPTION.
    if (this.#playing && this.setup?.realtimeInputConfig?.activityHandling !== 'NO_INTERRUPTION') this.#interruptRequested = true;
  }

  #onActivityEnd(): void {
    this.activityEvents.push({ type: 'activityEnd', atAudioMs: this.audioMs });
    if (!this.#manualActivity()) return this.#invalidArgument('activityEnd needs automaticActivityDetection.disabled');
    const activity = this.#activity;
    if (!activity) return this.#invalidArgument('activityEnd without an open activity');
    this.#activity = undefined;
    // An activity without speech (a cough the client took for speech, silence) gets no answer.
    if (activity.voicedBytes === 0) return;
    const turn = activity.turn ?? this.#nextTurn();
    if (!activity.turn && !activity.heardAny) this.#sendUserText(turn);
    if (this.#playing) this.#queuedTurn = turn;
    else void this.playTurn(turn, { withUserText: false });
  }

  #onAudioStreamEnd(): void {
    this.activityEvents.push({ type: 'audioStreamEnd', atAudioMs: this.audioMs });
    // Meant for automatic detection, which flushes the audio it holds: speech too short to have
    // made a turn yet is answered now. With manual activity the client's activityEnd decides.
    if (this.#manualActivity() || this.#playing || this.#audioSinceTurnBytes === 0) return;
    this.#answerAccumulatedAudio();
  }

  /** The service's answer to a message that breaks the protocol (a close reason fits in 123 bytes). */
  #invalidArgument(reason: string): void {
    this.drop(1007, `Request contains an invalid argument: ${reason}.`);
  }

  #onClientContent(content: NonNullable<LiveClientMessage['clientContent']>): void {
    this.clientContents.push(content);
    // As documented: "A message here will interrupt any current model generation."
    if (this.#playing) this.#interruptRequested = true;
    if (content.turnComplete && this.#host.script.respondToClientContent) {
      if (this.#playing) this.#queuedTurn = this.#nextTurn();
      else void this.playTurn(this.#nextTurn(), { withUserText: false });
    }
  }

  #onToolResponse(responses: FakeFunctionResponse[]): void {
    this.toolResponses.push(responses);
    const waiting = this.#awaitingTools;
    if (!waiting) return;
    for (const response of responses) if (response.id) waiting.ids.delete(response.id);
    if (waiting.ids.size === 0) waiting.resolve();
  }

  #nextTurn(): FakeTurn {
    const script = this.#host.script;
    return script.turns.shift() ?? script.defaultTurn;
  }
}

/** A user activity between `activityStart` and `activityEnd` (manual activity detection). */
interface OpenActivity {
  voicedBytes: number;
  /** The scripted turn that answers it, taken once its user text was sent. */
  turn: FakeTurn | undefined;
  /** The utterance being heard: its voiced audio, the unvoiced audio since, and whether it was transcribed. */
  utteranceVoicedBytes: number;
  unvoicedMs: number;
  utteranceTranscribed: boolean;
  /** Some utterance was transcribed from `script.heard`: the turn's own user text is not sent. */
  heardAny: boolean;
}

/** Unvoiced audio inside an activity that separates two utterances (each transcribed on its own). */
const UTTERANCE_GAP_MS = 300;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether 16-bit PCM is louder than a quiet room (RMS above about -50 dBFS). */
function isVoiced(pcm: Buffer): boolean {
  const samples = new Int16Array(pcm.buffer, pcm.byteOffset, Math.floor(pcm.byteLength / 2));
  let sumSquares = 0;
  for (let i = 0; i < samples.length; i++) sumSquares += samples[i]! * samples[i]!;
  return samples.length > 0 && Math.sqrt(sumSquares / samples.length) > 100;
}
