/** What the fake Live server does, set by the test before (or between) the turns. */

/** One scripted model turn. */
export interface FakeTurn {
  /** Input transcription deltas sent first (only when the turn answers audio; in a manual activity, while it is open). */
  userText?: string[];
  /** Tools the model calls before it answers; the answer waits for the `toolResponse`. */
  toolCalls?: { name: string; args?: Record<string, unknown> }[];
  /** Total model audio, 24 kHz PCM; default 480. */
  answerAudioMs?: number;
  /** Output transcription deltas, spread over the audio chunks. */
  answerText?: string[];
  /** Audio per `modelTurn` message; default 40. */
  chunkMs?: number;
  /** Barge-in: after this many audio chunks, send `interrupted` then `turnComplete`. */
  interruptAfterChunks?: number;
  /** Send `usageMetadata` with `turnComplete`; default true. */
  usage?: boolean;
}

export interface FakeLiveScript {
  /**
   * Answer once this much voiced user audio (16 kHz PCM) arrived since the last turn; default 200.
   * With manual activity detection it is when the turn's `userText` is sent instead (the answer
   * waits for `activityEnd`).
   */
  respondAfterAudioMs: number;
  /**
   * With manual activity detection: what the next utterances say, in order. Each run of voiced
   * audio in an activity (utterances part at 300 ms without voice) is transcribed as the next of
   * these once it holds `respondAfterAudioMs` of voice, as the service transcribes what it hears;
   * when it is empty, the answering turn's `userText` stands for the activity's words. Default [].
   */
  heard: string[];
  /** Answer `clientContent` that has `turnComplete: true`; default true. */
  respondToClientContent: boolean;
  /** The turns to play, in order; when empty, `defaultTurn` is played. */
  turns: FakeTurn[];
  defaultTurn: FakeTurn;
  /** How much faster than real time audio is sent (the real service also runs ahead); default 20. */
  paceFactor: number;
  /** Send `sessionResumptionUpdate` handles when the setup asks for resumption; default true. */
  issueHandles: boolean;
  /** Close a setup whose resumption handle the server never issued (or forgot), code 1007; default true. */
  rejectUnknownHandles: boolean;
  /** Close this many next setups with `code` (a server failing to start sessions). */
  rejectSetups: { count: number; code: number; reason: string };
}

export function defaultScript(): FakeLiveScript {
  return {
    respondAfterAudioMs: 200,
    heard: [],
    respondToClientContent: true,
    turns: [],
    defaultTurn: { userText: ['Hello', ' there'], answerText: ['Hi,', ' how can', ' I help?'], answerAudioMs: 480 },
    paceFactor: 20,
    issueHandles: true,
    rejectUnknownHandles: true,
    rejectSetups: { count: 0, code: 1011, reason: 'Internal error' },
  };
}
