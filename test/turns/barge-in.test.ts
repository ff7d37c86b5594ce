import { afterEach, describe, expect, it, vi } from 'vitest';
import { BargeInPolicy, type BargeInTarget } from '../../src/turns/index.js';

function target(): BargeInTarget & { log: string[] } {
  const log: string[] = [];
  return { log, pause: () => log.push('pause'), resume: () => log.push('resume'), interrupt: () => log.push('interrupt') };
}

afterEach(() => vi.useRealTimers());

describe('BargeInPolicy without transcripts (realtime mode, the agent detecting speech)', () => {
  it('holds the answer at the start of speech and plays on after speech shorter than the threshold', () => {
    const policy = new BargeInPolicy({ transcripts: false, minInterruptionSpeechMs: 700 });
    const answer = target();
    policy.speechStarted(1_000, answer);
    expect(answer.log).toEqual(['pause']);
    policy.audio(1_500);
    policy.speechEnded(1_450);
    expect(answer.log).toEqual(['pause', 'resume']);
    expect(policy.holding).toBe(false);
  });

  it('cuts the answer as soon as the speech reaches the threshold, without waiting for its end', () => {
    const policy = new BargeInPolicy({ transcripts: false, minInterruptionSpeechMs: 700 });
    const answer = target();
    policy.speechStarted(1_000, answer);
    policy.audio(1_690);
    expect(answer.log).toEqual(['pause']);
    policy.audio(1_700);
    expect(answer.log).toEqual(['pause', 'interrupt']);
  });

  it('decides each burst on its own once playback resumed', () => {
    const policy = new BargeInPolicy({ transcripts: false, minInterruptionSpeechMs: 700 });
    const answer = target();
    policy.speechStarted(0, answer);
    policy.audio(450);
    policy.speechEnded(400); // a short run: played on…
    expect(answer.log).toEqual(['pause', 'resume']);
    const second = target();
    policy.speechStarted(900, second);
    policy.audio(1_500);
    expect(second.log).toEqual(['pause']);
  });

  it('counts speech only up to its last voiced audio: the detector’s wait for silence is not speech', () => {
    const policy = new BargeInPolicy({ transcripts: false, minInterruptionSpeechMs: 700 });
    const answer = target();
    policy.speechStarted(1_000, answer);
    for (let at = 1_000; at <= 1_350; at += 50) policy.audio(at, true); // "yeah": 350 ms
    for (let at = 1_400; at <= 1_800; at += 50) policy.audio(at, false); // the detector confirms the end
    expect(answer.log).toEqual(['pause']);
    policy.speechEnded(1_360);
    expect(answer.log).toEqual(['pause', 'resume']);
  });

  it('holds at the first voice, before the detector confirms speech, and plays on when it never does', () => {
    const policy = new BargeInPolicy({ transcripts: false, minInterruptionSpeechMs: 700, confirmWithinMs: 250 });
    const click = target();
    policy.voiceHeard(1_000, click);
    expect(click.log).toEqual(['pause']);
    policy.audio(1_200, false);
    expect(click.log).toEqual(['pause']);
    policy.audio(1_250, false);
    expect(click.log).toEqual(['pause', 'resume']);

    const speech = target();
    policy.voiceHeard(2_000, speech);
    policy.speechStarted(1_990, speech); // confirmed: the same hold goes on
    policy.audio(2_400, true);
    expect(speech.log).toEqual(['pause']);
    policy.audio(2_700, true);
    expect(speech.log).toEqual(['pause', 'interrupt']);
  });

  it('does nothing when the agent is not speaking', () => {
    const policy = new BargeInPolicy({ transcripts: false });
    policy.speechStarted(0, undefined);
    policy.audio(5_000);
    policy.speechEnded(5_000);
    expect(policy.holding).toBe(false);
  });
});

describe('BargeInPolicy with transcripts (pipeline mode)', () => {
  it('cuts on words that are not a backchannel, at once', () => {
    const policy = new BargeInPolicy({ transcripts: true });
    const answer = target();
    policy.speechStarted(0, answer);
    policy.words('wait');
    expect(answer.log).toEqual(['pause', 'interrupt']);
  });

  it('never cuts on backchannel words, however long, and plays on when they stop', () => {
    const policy = new BargeInPolicy({ transcripts: true });
    const answer = target();
    policy.speechStarted(0, answer);
    policy.audio(3_000);
    policy.words('yeah yeah, right, mm-hmm');
    expect(answer.log).toEqual(['pause']);
    policy.speechEnded(3_000);
    expect(answer.log).toEqual(['pause', 'resume']);
  });

  it('lets an interim transcript that may become a backchannel ("I" of "I see") wait for the next', () => {
    const policy = new BargeInPolicy({ transcripts: true });
    const nod = target();
    policy.speechStarted(0, nod);
    policy.words('I', true);
    policy.words('I see', true);
    policy.speechEnded(500);
    expect(nod.log).toEqual(['pause', 'resume']);

    const question = target();
    policy.speechStarted(1_000, question);
    policy.words('I', true);
    expect(question.log).toEqual(['pause']);
    policy.words('I have a question', true);
    expect(question.log).toEqual(['pause', 'interrupt']);
  });

  it('plays on 200 ms after backchannel words go quiet, before the detector ends the speech', () => {
    const policy = new BargeInPolicy({ transcripts: true });
    const nod = target();
    policy.speechStarted(0, nod);
    policy.audio(300, true);
    policy.words('yeah');
    policy.audio(400, false);
    policy.audio(490, false);
    expect(nod.log).toEqual(['pause']);
    policy.audio(500, false);
    expect(nod.log).toEqual(['pause', 'resume']);
  });

  it('cuts when a backchannel turns into an interruption ("yeah, but wait")', () => {
    const policy = new BargeInPolicy({ transcripts: true });
    const answer = target();
    policy.speechStarted(0, answer);
    policy.words('yeah');
    policy.words('yeah but wait');
    expect(answer.log).toEqual(['pause', 'interrupt']);
  });

  it('waits for words after a silent noise, then plays on; late words still decide', () => {
    vi.useFakeTimers();
    const policy = new BargeInPolicy({ transcripts: true, wordsTimeoutMs: 600 });
    const cough = target();
    policy.speechStarted(0, cough);
    policy.speechEnded(250);
    vi.advanceTimersByTime(599);
    expect(cough.log).toEqual(['pause']);
    vi.advanceTimersByTime(1);
    expect(cough.log).toEqual(['pause', 'resume']);

    const late = target();
    policy.speechStarted(1_000, late);
    policy.speechEnded(1_800);
    policy.words('stop');
    expect(late.log).toEqual(['pause', 'interrupt']);
    vi.advanceTimersByTime(1_000);
    expect(late.log).toEqual(['pause', 'interrupt']);
  });

  it('forgets a hold whose answer ended by itself', () => {
    const policy = new BargeInPolicy({ transcripts: true });
    const answer = target();
    policy.speechStarted(0, answer);
    policy.targetGone(answer);
    policy.words('stop');
    expect(answer.log).toEqual(['pause']);
  });
});
