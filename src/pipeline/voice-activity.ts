/**
 * What the pipeline session needs of voice activity detection: push the input audio, and be
 * told when speech starts and stops. `voiceActivityOf` opens one stream of a VAD provider for
 * the session's input.
 */
import type { VAD } from '../vad/vad.js';

export interface VoiceActivity {
  /** The session's input audio, as it arrives. */
  push(samples: Int16Array): void;
  /** Whether the last audio scored sounds like voice, before speech is confirmed (VadStream.voiced). */
  readonly voiced: boolean;
  close(): void;
}

export interface VoiceActivityHandlers {
  /** `atMs`: where speech began, in ms of the audio pushed. */
  onSpeechStarted(atMs: number): void;
  /** `atMs`: where the silence that ended it began, in ms of the audio pushed. */
  onSpeechEnded(atMs: number): void;
  onError(error: Error): void;
}

export function voiceActivityOf(vad: VAD, sampleRate: number, handlers: VoiceActivityHandlers): VoiceActivity {
  const stream = vad.stream({ sampleRate });
  const unsubscribe = [
    stream.on('speech.started', ({ atMs }) => handlers.onSpeechStarted(atMs)),
    stream.on('speech.ended', ({ atMs }) => handlers.onSpeechEnded(atMs)),
    stream.on('error', ({ error }) => handlers.onError(error)),
  ];
  return {
    push: (samples) => stream.push(samples),
    get voiced() {
      return stream.voiced;
    },
    close: () => {
      for (const off of unsubscribe) off();
      stream.close();
    },
  };
}
