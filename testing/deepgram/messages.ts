/**
 * The live /v1/listen server messages, in the shapes Deepgram documents (and @deepgram/sdk
 * types as `ListenV1Results`, `ListenV1UtteranceEnd`, `ListenV1SpeechStarted`,
 * `ListenV1Metadata`). Times on the wire are seconds from the socket's first audio byte.
 */

export interface FakeWord {
  /** Lower case, without punctuation, as the service spells `word`. */
  word: string;
  /** The word as written in the transcript (`punctuated_word`). */
  punctuated: string;
  startMs: number;
  endMs: number;
}

export interface ResultsFields {
  words: FakeWord[];
  startMs: number;
  endMs: number;
  isFinal: boolean;
  speechFinal: boolean;
  fromFinalize: boolean;
  confidence: number;
  requestId: string;
  model: string;
}

const seconds = (ms: number): number => Math.round(ms) / 1000;

export function resultsMessage(fields: ResultsFields): Record<string, unknown> {
  return {
    type: 'Results',
    channel_index: [0, 1],
    duration: seconds(fields.endMs - fields.startMs),
    start: seconds(fields.startMs),
    is_final: fields.isFinal,
    speech_final: fields.speechFinal,
    from_finalize: fields.fromFinalize,
    channel: {
      alternatives: [
        {
          transcript: fields.words.map((word) => word.punctuated).join(' '),
          confidence: fields.words.length > 0 ? fields.confidence : 0,
          words: fields.words.map((word) => ({
            word: word.word,
            start: seconds(word.startMs),
            end: seconds(word.endMs),
            confidence: fields.confidence,
            punctuated_word: word.punctuated,
          })),
        },
      ],
    },
    metadata: {
      request_id: fields.requestId,
      model_info: { name: `2-general-${fields.model}`, version: '2025-01-01.0', arch: fields.model },
      model_uuid: '00000000-0000-4000-8000-000000000003',
    },
  };
}

export function utteranceEndMessage(lastWordEndMs: number): Record<string, unknown> {
  return { type: 'UtteranceEnd', channel: [0, 1], last_word_end: seconds(lastWordEndMs) };
}

export function speechStartedMessage(atMs: number): Record<string, unknown> {
  return { type: 'SpeechStarted', channel: [0, 1], timestamp: seconds(atMs) };
}

export function metadataMessage(requestId: string, durationMs: number, model: string): Record<string, unknown> {
  return {
    type: 'Metadata',
    transaction_key: 'deprecated',
    request_id: requestId,
    sha256: '0'.repeat(64),
    created: new Date().toISOString(),
    duration: seconds(durationMs),
    channels: 1,
    models: ['00000000-0000-4000-8000-000000000003'],
    model_info: { '00000000-0000-4000-8000-000000000003': { name: `2-general-${model}`, version: '2025-01-01.0', arch: model } },
  };
}

/** `text` as words spread evenly over [startMs, endMs], each ending a little before the next begins. */
export function spreadWords(text: string, startMs: number, endMs: number): FakeWord[] {
  const tokens = text.split(/\s+/).filter((token) => token.length > 0);
  const span = (endMs - startMs) / Math.max(1, tokens.length);
  return tokens.map((token, index) => ({
    word: token.toLowerCase().replace(/[^\p{L}\p{N}']/gu, ''),
    punctuated: token,
    startMs: startMs + index * span,
    endMs: startMs + (index + 1) * span - Math.min(20, span / 4),
  }));
}
