/**
 * What the pipeline session needs of voice activity detection: push the input audio, and be
 * told when speech starts and stops. `voiceActivityFrom` adapts a VAD provider's stream to it.
 */
export interface VoiceActivity {
  /** The session's input audio, as it arrives. */
  push(samples: Int16Array): void;
  close(): void;
}
