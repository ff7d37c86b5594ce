/**
 * The way in: every participant's 48 kHz frames are mixed into one stream, resampled to the
 * model's rate and sent on. Each frame is also measured for speech, so a user turn can be
 * attributed to whoever spoke (see SpeakerTracker). A participant's audio that stops while they
 * talk (a muted microphone, a leave) brings no trailing silence for the model to end the turn
 * on, so the model is told the audio ended (unless someone else is still talking).
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
  readonly #session: RealtimeSession;
  /** Participants whose audio stopped and has not come back: told once, not at every event of it. */
  readonly #stopped = new Set<string>();

  constructor(session: RealtimeSession, speakers: SpeakerTracker) {
    this.#speakers = speakers;
    this.#session = session;
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
    if (this.#stopped.size > 0) this.#stopped.delete(participant.sessionId);
    if (samples.length === FRAME_SAMPLES && !this.#framers.get(participant.sessionId)?.bufferedSamples) {
      this.#mixer.push(participant.sessionId, samples);
      return;
    }
    let framer = this.#framers.get(participant.sessionId);
    if (!framer) this.#framers.set(participant.sessionId, (framer = new AudioFramer({ sampleRate: WEBRTC_SAMPLE_RATE })));
    for (const frame of framer.push(samples)) this.#mixer.push(participant.sessionId, frame);
  }

  /**
   * The participant's audio stopped (their microphone track went away): what they sent is mixed
   * out now, and if it stopped mid-speech while nobody else talks, the model ends the turn.
   */
  audioStopped(participant: Participant): void {
    const { sessionId } = participant;
    if (this.#stopped.has(sessionId)) return;
    this.#stopped.add(sessionId);
    this.#framers.delete(sessionId);
    this.#mixer.remove(sessionId);
    if (this.#speakers.stoppedMidSpeech(sessionId) && !this.#speakers.anyoneElseTalking(sessionId, performance.now())) {
      this.#session.audioStreamEnded();
    }
  }

  /** The participant left. */
  remove(participant: Participant): void {
    this.audioStopped(participant);
    this.#stopped.delete(participant.sessionId);
    this.#speakers.remove(participant.sessionId);
  }

  close(): void {
    this.#resampler.close();
  }
}
