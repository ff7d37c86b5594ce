import { describe, expect, it } from 'vitest';
import { SpeakerTracker } from '../../src/agent/speaker-tracker.js';

const alice = { userId: 'alice', sessionId: 's-alice' };
const bob = { userId: 'bob', sessionId: 's-bob' };
const loud = new Int16Array(480).fill(3000);
const quiet = new Int16Array(480).fill(20);

/** `who` speaks from `fromMs` to `toMs`, one frame per 10 ms. */
function speak(tracker: SpeakerTracker, who: typeof alice, fromMs: number, toMs: number) {
  for (let t = fromMs; t < toMs; t += 10) tracker.observe(who, loud, t);
}

describe('SpeakerTracker', () => {
  it('gives the turn to whoever started first among the people talking now', () => {
    const tracker = new SpeakerTracker();
    tracker.observe(alice, quiet, 0);
    speak(tracker, bob, 10, 600);
    speak(tracker, alice, 200, 600);
    expect(tracker.speakerOfTurn(600)).toEqual(bob);
  });

  it('ignores someone who stopped talking a while ago', () => {
    const tracker = new SpeakerTracker();
    speak(tracker, bob, 0, 700);
    speak(tracker, alice, 1000, 1600);
    expect(tracker.speakerOfTurn(1600)).toEqual(alice);
  });

  it('starts a new run after a pause', () => {
    const tracker = new SpeakerTracker();
    speak(tracker, bob, 0, 300);
    speak(tracker, alice, 100, 1000);
    speak(tracker, bob, 700, 1000);
    expect(tracker.speakerOfTurn(1000)).toEqual(alice);
  });

  it('falls back to the latest speaker, then to the only participant', () => {
    const tracker = new SpeakerTracker();
    tracker.observe(alice, quiet, 0);
    expect(tracker.speakerOfTurn(0)).toEqual(alice);
    speak(tracker, bob, 10, 100);
    speak(tracker, alice, 50, 120);
    expect(tracker.speakerOfTurn(5000)).toEqual(alice);
    tracker.remove(alice.sessionId);
    expect(tracker.speakerOfTurn(5000)).toEqual(bob);
  });
  it("tells whether a person's audio stopped mid-speech, however late the news of it comes", () => {
    const tracker = new SpeakerTracker();
    speak(tracker, alice, 0, 500);
    // Their audio stopped at 500 ms while they talked; the mute is learnt seconds later.
    expect(tracker.stoppedMidSpeech(alice.sessionId)).toBe(true);
    expect(tracker.isTalking(alice.sessionId, 5_000)).toBe(false);
    // Silence after the words: the audio stopped after the speech had ended.
    for (let t = 500; t < 1_500; t += 10) tracker.observe(bob, quiet, t);
    speak(tracker, bob, 1_500, 2_000);
    for (let t = 2_000; t < 3_000; t += 10) tracker.observe(bob, quiet, t);
    expect(tracker.stoppedMidSpeech(bob.sessionId)).toBe(false);
    expect(tracker.stoppedMidSpeech('nobody')).toBe(false);
  });

  it('tells whether anyone else is talking now', () => {
    const tracker = new SpeakerTracker();
    speak(tracker, alice, 0, 1_000);
    speak(tracker, bob, 0, 500);
    expect(tracker.anyoneElseTalking(bob.sessionId, 1_000)).toBe(true);
    expect(tracker.anyoneElseTalking(alice.sessionId, 1_000)).toBe(false);
    expect(tracker.isTalking(alice.sessionId, 1_000)).toBe(true);
  });
});
