/** What the fake Deepgram hears, set by the test before a socket opens (each socket copies it). */

/**
 * One scripted utterance, placed on the socket's own audio clock: the fake "hears" it while
 * the audio it has received passes from `startMs` to `endMs`, as the real service hears speech
 * in the audio rather than in wall-clock time.
 */
export interface FakeUtterance {
  /** The transcript, as the service would format it (`Hello there, how are you?`). */
  text: string;
  /** Received audio, in ms from the socket's first byte, at which the speech begins. */
  startMs: number;
  /** Received audio, in ms, at which the last word ends. */
  endMs: number;
  /** Confidence of the transcript and its words; default 0.98. */
  confidence?: number;
}

export interface FakeDeepgramScript {
  /** Utterances in the order they are heard; times relative to each socket's own audio. */
  utterances: FakeUtterance[];
  /** With `interim_results=true`, one interim result per this much received audio while speech lasts; default 250. */
  interimEveryMs: number;
  /** During silence, an empty final result per this much received audio (the service finalises silence too); default 1000. */
  silenceFinalEveryMs: number;
  /** Close a socket that received neither audio nor a message for this long, with 1011 (the service's NET-0001); default 10000. */
  idleTimeoutMs: number;
  /** Each message goes out this long after the audio that caused it arrived (the service's processing time); default 0. */
  latencyMs: number;
}

export function defaultDeepgramScript(): FakeDeepgramScript {
  return { utterances: [], interimEveryMs: 250, silenceFinalEveryMs: 1000, idleTimeoutMs: 10_000, latencyMs: 0 };
}
