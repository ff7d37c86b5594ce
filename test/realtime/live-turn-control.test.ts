/**
 * LiveTurnControl's estimate of when the agent's answer has played out (the moment its turn
 * completes, and until which speech over it is a barge-in), with a stand-in detector and the
 * clock faked: the estimate is arithmetic on performance.now().
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LiveTurnControl, type LiveTurnIo } from '../../src/llm/gemini/live-turn-control.js';
import type { VAD, VadStream } from '../../src/vad/vad.js';

function detector(): { vad: VAD; stream: { voiced: boolean } } {
  const stream = { voiced: false, speaking: false, probability: 0, push() {}, on: () => () => {}, close() {} };
  return { vad: { provider: 'stand-in', stream: () => stream as unknown as VadStream, close: async () => {} }, stream };
}

function io(overrides: Partial<LiveTurnIo> = {}): LiveTurnIo & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    sendAudio() {},
    activityStart: () => void log.push('activityStart'),
    activityEnd: () => void log.push('activityEnd'),
    pause: () => void log.push('pause'),
    resume: () => void log.push('resume'),
    cut: () => void log.push('cut'),
    userTurnEnded() {},
    responding: () => false,
    error() {},
    ...overrides,
  };
}

const FRAME = new Int16Array(320); // 20 ms at 16 kHz

afterEach(() => vi.useRealTimers());

describe('LiveTurnControl playback estimate', () => {
  it('plays audio that came during a hold from the moment playback resumes, not from its arrival', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const { vad, stream } = detector();
    const calls = io({ responding: () => true }); // the model is answering, its first audio not here yet
    const control = new LiveTurnControl({ vad }, calls);
    stream.voiced = true;
    control.push(FRAME); // voice over the answer: held
    expect(calls.log).toEqual(['pause']);
    expect(control.playingUntilMs).toBe(Number.POSITIVE_INFINITY);

    vi.advanceTimersByTime(300);
    control.modelAudio(500); // arrives while held: nothing plays yet
    vi.advanceTimersByTime(100);
    const resumedAt = performance.now();
    stream.voiced = false;
    for (let i = 0; i < 13; i++) control.push(FRAME); // never confirmed as speech: plays on
    expect(calls.log).toEqual(['pause', 'resume']);
    expect(control.playingUntilMs).toBe(resumedAt + 500);
    control.close();
  });

  it('queues audio after what is still to play', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const { vad } = detector();
    const control = new LiveTurnControl({ vad }, io());
    const start = performance.now();
    control.modelAudio(400);
    vi.advanceTimersByTime(100);
    control.modelAudio(400);
    expect(control.playingUntilMs).toBe(start + 800);
    vi.advanceTimersByTime(1_000);
    control.modelAudio(200); // after a gap: from now
    expect(control.playingUntilMs).toBe(start + 1_100 + 200);
    control.close();
  });
});
