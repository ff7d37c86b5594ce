import { describe, expect, it } from 'vitest';
import { SpeakerTracker } from '../../src/agent/speaker-tracker.js';

const alice = { userId: 'alice', sessionId: 's-alice' };
const bob = { userId: 'bob', sessionId: 's-bob' };
const loud = new Int16Array(480).fill(3000);
const quiet = new Int16Array(480).fill(20);

describe('SpeakerTracker', () => {
  it('gives the turn to whoever started speaking first since the last boundary', () => {
    const tracker = new SpeakerTracker();
    tracker.observe(alice, quiet, 0);
    tracker.observe(bob, loud, 10);
    tracker.observe(alice, loud, 20);
    expect(tracker.speakerOfTurn()).toEqual(bob);
    tracker.markBoundary();
    tracker.observe(alice, loud, 100);
    tracker.observe(bob, loud, 110);
    expect(tracker.speakerOfTurn()).toEqual(alice);
  });

  it('falls back to the latest speaker, then to the only participant', () => {
    const tracker = new SpeakerTracker();
    tracker.observe(alice, quiet, 0);
    expect(tracker.speakerOfTurn()).toEqual(alice);
    tracker.observe(bob, loud, 5);
    tracker.observe(alice, loud, 9);
    tracker.markBoundary();
    expect(tracker.speakerOfTurn()).toEqual(alice);
    tracker.remove(alice.sessionId);
    expect(tracker.speakerOfTurn()).toEqual(bob);
  });
});
