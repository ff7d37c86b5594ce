/**
 * The way in: every participant's 48 kHz frames are mixed into one stream, resampled to the
 * model's rate and sent on. Each frame is also measured for speech, so a user turn can be
 * attributed to whoever spoke (see SpeakerTracker).
 */
import { AudioFramer, AudioMixer, createResampler, samplesPer10Ms, WEBRTC_SAMPLE_RATE, type Resampler } from '../audio/index.js';
import type { Participant } from '../edge/edge.js';
import type { RealtimeSession } from '../llm/realtime.js';
import type { SpeakerTracker } from './speaker-tracker.js';

const FRAME_SAMPLES = samplesPer10Ms(WEBRTC_SAMPLE_RATE);

export class AudioInput {
  readonly #mixer: AudioMixer;
  readonly #resampler: Resampler;
  readonly #speakers: SpeakerTracker;
  /** Per participant: frames re-cut to exactly 10 ms, whatever sizes the edge delivers. */
  readonly #framers = new Map<string, AudioFramer>();

  constructor(session: RealtimeSession, speakers: SpeakerTracker) {
    this.#speakers = speakers;
    this.#resampler = createResampler(WEBRTC_SAMPLE_RATE, session.inputSampleRate);
    this.#mixer = new AudioMixer({
      frameSamples: FRAME_SAMPLES,
      onMixed: (samples) => {
        const resampled = this.#resampler.process(samples);
        if (resampled.length > 0) session.sendAudio(resampled, session.inputSampleRate);
      },
    });
  }

  /** Audio of one participant, 48 kHz mono, normally one 10 ms frame. */
  push(participant: Participant, samples: Int16Array): void {
    this.#speakers.observe(participant, samples, performance.now());
    if (samples.length === FRAME_SAMPLES && !this.#framers.get(participant.sessionId)?.bufferedSamples) {
      this.#mixer.push(participant.sessionId, samples);
      return;
    }
    let framer = this.#framers.get(participant.sessionId);
    if (!framer) this.#framers.set(participant.sessionId, (framer = new AudioFramer({ sampleRate: WEBRTC_SAMPLE_RATE })));
    for (const frame of framer.push(samples)) this.#mixer.push(participant.sessionId, frame);
  }

  remove(participant: Participant): void {
    this.#framers.delete(participant.sessionId);
    this.#mixer.remove(participant.sessionId);
    this.#speakers.remove(participant.sessionId);
  }

  close(): void {
    this.#resampler.close();
  }
}
