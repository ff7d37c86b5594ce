/**
 * What the pipeline session needs of voice activity detection: push the input audio, and be
 * told when speech starts and stops. `voiceActivityOf` opens one stream of a VAD provider for
 * the session's input.
 */
import type { VAD } from '../vad/vad.js';

export interface VoiceActivity {
  /** The session's input audio, as it arrives. */
  push(samples: Int16Array): void;
  close(): void;
}

export interface VoiceActivityHandlers {
  onSpeechStarted(): void;
  onSpeechEnded(): void;
  onError(error: Error): void;
}

export function voiceActivityOf(vad: VAD, sampleRate: number, handlers: VoiceActivityHandlers): VoiceActivity {
  const stream = vad.stream({ sampleRate });
  const unsubscribe = [
    stream.on('speech.started', () => handlers.onSpeechStarted()),
    stream.on('speech.ended', () => handlers.onSpeechEnded()),
    stream.on('error', ({ error }) => handlers.onError(error)),
  ];
  return {
    push: (samples) => stream.push(samples),
    close: () => {
      for (const off of unsubscribe) off();
      stream.close();
    },
  };
}
