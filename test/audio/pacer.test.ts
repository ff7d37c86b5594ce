import { afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import { AudioPacer, type AudioPacerEvents, type AudioPacerOptions } from '../../src/audio/pacer.js';
import { ManualClock } from './manual-clock.js';
import { concat, ratioDb, tone, toneAmplitude, zeroCrossingFrequency } from './signals.js';
import { waitUntil } from '../support/wait.js';

interface Harness {
  pacer: AudioPacer;
  clock: ManualClock;
  /** Copies of every frame handed to the output, with the clock time it went out. */
  frames: Array<{ samples: Int16Array; sampleRate: number; atMs: number }>;
  events: Array<{ name: keyof AudioPacerEvents; payload: unknown }>;
}

const pacers: AudioPacer[] = [];
afterEach(() => {
  for (const pacer of pacers.splice(0)) pacer.close();
});

function harness(options: Partial<AudioPacerOptions> = {}): Harness {
  const clock = new ManualClock();
  const frames: Harness['frames'] = [];
  const events: Harness['events'] = [];
  const pacer = new AudioPacer({
    clock,
    onFrame: (samples, sampleRate) => frames.push({ samples: samples.slice(), sampleRate, atMs: clock.now() }),
    ...options,
  });
  for (const name of ['playbackStarted', 'playbackDrained', 'error'] as const) {
    pacer.events.on(name, (payload) => void events.push({ name, payload }));
  }
  pacers.push(pacer);
  return { pacer, clock, frames, events };
}

const isSilent = (samples: Int16Array) => samples.every((s) => s === 0);
const ramp = (length: number, from = 1) => new Int16Array(length).map((_, i) => from + (i % 30_000));

describe('AudioPacer', () => {
  it('holds playback where it is: silence at once, the queue kept, resume plays on from the same sample', () => {
    const { pacer, clock, frames, events } = harness({ sampleRate: 48_000 });
    pacer.start();
    const audio = ramp(48_000 / 10); // 100 ms, every sample distinct
    pacer.write(audio, 48_000);
    pacer.end();
    clock.advance(30); // frames at 0, 10, 20, 30 ms: 40 ms played
    const playedBefore = concat(frames.filter((f) => !isSilent(f.samples)).map((f) => f.samples));
    pacer.hold();
    expect(pacer.held).toBe(true);
    const heldFrom = frames.length;
    clock.advance(500); // far longer than the gap that would otherwise end the utterance
    expect(frames.slice(heldFrom).every((f) => isSilent(f.samples))).toBe(true);
    expect(pacer.bufferedMs).toBeCloseTo(60, 0);
    expect(pacer.stats.underruns).toBe(0);
    expect(events.map(({ name }) => name)).toEqual(['playbackStarted']);

    pacer.resume();
    clock.advance(100);
    const played = concat(frames.filter((f) => !isSilent(f.samples)).map((f) => f.samples));
    expect(played.length).toBe(audio.length);
    expect(played).toEqual(audio); // nothing lost, nothing repeated: on from the same sample
    expect(playedBefore.length).toBe(4 * 480);
    expect(events.map(({ name }) => name)).toEqual(['playbackStarted', 'playbackDrained']);
  });

  it('flush() while held drops the held audio', () => {
    const { pacer, clock, frames } = harness({ sampleRate: 48_000 });
    pacer.start();
    pacer.write(ramp(4_800), 48_000);
    clock.advance(10);
    pacer.hold();
    pacer.flush();
    pacer.resume();
    const before = frames.length;
    clock.advance(200);
    expect(frames.slice(before).every((f) => isSilent(f.samples))).toBe(true);
    expect(pacer.bufferedMs).toBe(0);
  });

  it('sends one frame of exactly 10 ms per 10 ms of clock time, silence while idle', () => {
    const { pacer, clock, frames } = harness();
    pacer.start();
    clock.advance(1000);

    expect(frames).toHaveLength(101); // slots at 0, 10, …, 1000 ms
    frames.forEach((frame, i) => {
      expect(frame.samples).toHaveLength(480);
      expect(frame.sampleRate).toBe(48_000);
      expect(frame.atMs).toBe(i * 10);
      expect(isSilent(frame.samples)).toBe(true);
    });
    expect(pacer.stats).toMatchObject({ framesSent: 101, silentFramesSent: 101, lateTicks: 0, underruns: 0 });
  });

  it('plays 24 kHz audio at 48 kHz in real time, keeping its pitch and level, and reports start and drain', () => {
    const { pacer, clock, frames, events } = harness();
    pacer.start();
    clock.advance(25);
    const speech = tone(1000, 24_000, 200, 10_000);
    pacer.write(speech.subarray(0, 1234), 24_000); // odd chunk sizes, faster than real time
    pacer.write(speech.subarray(1234), 24_000);
    pacer.end();
    expect(pacer.bufferedMs).toBeGreaterThan(190);
    clock.advance(400);

    const audible = frames.filter((f) => !isSilent(f.samples));
    expect(audible).toHaveLength(20); // 200 ms exactly: end() releases the filter's held-back tail
    const played = concat(audible.map((f) => f.samples));
    expect(zeroCrossingFrequency(played, 48_000, 960, 8640)).toBeCloseTo(1000, 0);
    expect(Math.abs(ratioDb(toneAmplitude(played, 1000, 48_000, 960, 8640), 10_000))).toBeLessThan(1);

    const firstAudio = audible[0] as Harness['frames'][number];
    expect(events[0]).toEqual({ name: 'playbackStarted', payload: { atMs: firstAudio.atMs } });
    expect(firstAudio.atMs).toBe(30); // the next slot after the write
    expect(events[1]).toEqual({
      name: 'playbackDrained',
      payload: { atMs: (audible[19] as Harness['frames'][number]).atMs, reason: 'ended', playedMs: 200 },
    });
    expect(pacer.playing).toBe(false);
    expect(pacer.stats).toMatchObject({ underruns: 0, droppedMs: 0, bufferedMs: 0 });
  });

  it('passes 48 kHz audio through sample for sample', () => {
    const { pacer, clock, frames } = harness();
    const audio = ramp(480 * 3);
    pacer.write(audio, 48_000);
    audio.fill(0); // the caller may reuse its buffer
    pacer.start();
    clock.advance(20);
    expect(concat(frames.map((f) => f.samples))).toEqual(ramp(480 * 3));
  });

  it('accepts 16 kHz input', () => {
    const { pacer, clock, frames } = harness();
    pacer.start();
    pacer.write(tone(500, 16_000, 100), 16_000);
    pacer.end();
    clock.advance(200);
    const played = concat(frames.filter((f) => !isSilent(f.samples)).map((f) => f.samples));
    expect(played.length).toBe(4800);
    expect(zeroCrossingFrequency(played, 48_000, 480, 4320)).toBeCloseTo(500, 0);
  });

  it('with followInputRate, sends each utterance at the rate it was written at, without resampling', () => {
    const { pacer, clock, frames, events } = harness({ followInputRate: true });
    pacer.start();
    clock.advance(20); // silence at 48 kHz until the first utterance
    const speech = ramp(240 * 3);
    pacer.write(speech.subarray(0, 100), 24_000);
    pacer.write(speech.subarray(100), 24_000);
    pacer.write(tone(500, 16_000, 20), 16_000); // same utterance, another rate: resampled to 24 kHz
    pacer.end();
    clock.advance(100);

    expect(frames.slice(0, 3).map((f) => [f.sampleRate, f.samples.length])).toEqual([
      [48_000, 480],
      [48_000, 480],
      [48_000, 480],
    ]);
    const utterance = frames.slice(3, 8);
    expect(utterance.every((f) => f.sampleRate === 24_000 && f.samples.length === 240)).toBe(true);
    expect(concat(utterance.slice(0, 3).map((f) => f.samples))).toEqual(speech); // sample for sample
    expect(zeroCrossingFrequency(concat(utterance.slice(3).map((f) => f.samples)), 24_000, 40, 440)).toBeCloseTo(500, -1);
    expect(frames.slice(8).every((f) => f.sampleRate === 24_000 && isSilent(f.samples))).toBe(true); // stays at 24 kHz
    expect(events.map((e) => e.name)).toEqual(['playbackStarted', 'playbackDrained']);
    expect(events[1]?.payload).toMatchObject({ reason: 'ended', playedMs: 50 });

    pacer.write(ramp(480 * 2), 48_000); // a new utterance at 48 kHz switches back
    pacer.end();
    clock.advance(30);
    const last = frames.filter((f) => !isSilent(f.samples)).slice(-2);
    expect(last.map((f) => [f.sampleRate, f.samples.length])).toEqual([
      [48_000, 480],
      [48_000, 480],
    ]);
    expect(concat(last.map((f) => f.samples))).toEqual(ramp(480 * 2));
    expect(pacer.stats).toMatchObject({ underruns: 0, droppedMs: 0, bufferedMs: 0 });
  });

  it('sends silence in the very next frame after flush() (barge-in)', () => {
    const { pacer, clock, frames, events } = harness();
    pacer.start();
    pacer.write(ramp(48_000), 48_000); // 1 s
    clock.advance(50);
    const sentBeforeFlush = frames.length;
    pacer.flush();
    expect(pacer.bufferedMs).toBe(0);
    expect(events.at(-1)).toEqual({ name: 'playbackDrained', payload: { atMs: 50, reason: 'flushed', playedMs: 60 } });

    clock.advance(10);
    expect(frames.length).toBe(sentBeforeFlush + 1);
    expect(isSilent((frames.at(-1) as Harness['frames'][number]).samples)).toBe(true);
    clock.advance(100);
    expect(frames.slice(sentBeforeFlush).every((f) => isSilent(f.samples))).toBe(true);
  });

  it('holds at most maxBufferMs, dropping the oldest audio and counting it', () => {
    const { pacer, clock, frames } = harness({ maxBufferMs: 100 });
    const audio = ramp(48 * 300); // 300 ms
    pacer.write(audio, 48_000);
    expect(pacer.bufferedMs).toBe(100);
    expect(pacer.stats.droppedMs).toBe(200);

    pacer.start();
    clock.advance(90);
    // What plays is the newest 100 ms.
    expect(concat(frames.map((f) => f.samples))).toEqual(audio.subarray(48 * 200));
  });

  it('counts an underrun when the queue runs dry mid-utterance and audio then resumes', () => {
    const { pacer, clock, frames, events } = harness();
    pacer.start();
    pacer.write(ramp(480 * 5), 48_000); // 50 ms
    clock.advance(100); // slots 0–4 play audio, 5–10 are a gap
    pacer.write(ramp(480 * 3), 48_000);
    pacer.end();
    clock.advance(100);

    expect(pacer.stats.underruns).toBe(1);
    expect(pacer.stats.underrunMs).toBe(60);
    expect(events.map((e) => e.name)).toEqual(['playbackStarted', 'playbackDrained']);
    expect(events[1]?.payload).toMatchObject({ reason: 'ended', playedMs: 80 });
    expect(frames.filter((f) => !isSilent(f.samples))).toHaveLength(8);
  });

  it('ends an utterance without end() after gapTimeoutMs, and that natural end is not an underrun', () => {
    const { pacer, clock, events } = harness({ gapTimeoutMs: 300 });
    pacer.start();
    pacer.write(ramp(480 * 2 + 100), 48_000); // 20 ms and a sub-frame tail
    clock.advance(1000);

    expect(events.map((e) => e.name)).toEqual(['playbackStarted', 'playbackDrained']);
    expect(events[1]?.payload).toMatchObject({ reason: 'timeout', playedMs: 20 });
    expect(pacer.stats.underruns).toBe(0);
    expect(pacer.playing).toBe(false);
  });

  it('counts late ticks and sends at most maxBurstFrames after a stall, then keeps time', () => {
    const { pacer, clock, frames } = harness({ maxBurstFrames: 3 });
    pacer.start();
    clock.advance(40); // slots 0–4
    clock.stall(200); // the event loop is blocked until t = 240
    clock.advance(0);
    expect(frames).toHaveLength(5 + 3);
    expect(pacer.stats.lateTicks).toBe(1);
    expect(pacer.stats.maxLateMs).toBe(190);
    expect(pacer.stats.skippedMs).toBe(170); // slots 5–24 were due; 3 went out, 17 were skipped

    clock.advance(100);
    expect(frames).toHaveLength(8 + 10);
    expect(pacer.stats.lateTicks).toBe(1);
  });

  it('with sendSilenceWhenIdle off, sends nothing and holds no timer while idle', () => {
    const { pacer, clock, frames } = harness({ sendSilenceWhenIdle: false });
    pacer.start();
    clock.advance(100);
    expect(frames).toHaveLength(0);
    expect(clock.pendingTimers).toBe(0);

    pacer.write(ramp(480 * 2), 48_000);
    pacer.end();
    clock.advance(100);
    expect(frames).toHaveLength(2);
    expect(clock.pendingTimers).toBe(0);
  });

  it('keeps one schedule when start() is repeated or audio is written from inside onFrame', () => {
    let pacer: AudioPacer | undefined;
    let writes = 0;
    const { clock, frames } = harness({
      sendSilenceWhenIdle: false,
      onFrame: () => {
        frames.push({ samples: new Int16Array(0), sampleRate: 48_000, atMs: clock.now() });
        if (writes++ < 3) pacer?.write(ramp(480), 48_000);
      },
    });
    pacer = pacers.at(-1) as AudioPacer;
    pacer.start();
    pacer.start();
    pacer.write(ramp(480), 48_000);
    clock.advance(100);
    expect(frames.map((f) => f.atMs)).toEqual([0, 10, 20, 30]);
    expect(clock.pendingTimers).toBe(1); // waiting out the gap timeout: no end() was called
  });

  it('rejects bad input with a ValidationError and changes nothing', () => {
    const { pacer } = harness();
    pacer.write(ramp(480), 48_000);
    const before = pacer.stats;

    expect(() => pacer.write(new Float32Array(480) as unknown as Int16Array, 48_000)).toThrow(ValidationError);
    expect(() => pacer.write(ramp(480), 0)).toThrow(ValidationError);
    expect(() => pacer.write(ramp(480), Number.NaN)).toThrow(/sample rate/);
    expect(() => pacer.write(ramp(480), 12_345)).toThrow(ValidationError);
    expect(pacer.stats).toEqual(before);
    expect(pacer.bufferedMs).toBe(10);

    expect(() => new AudioPacer({ onFrame: () => {}, sampleRate: 44_999 })).toThrow(ValidationError);
    expect(() => new AudioPacer({ onFrame: () => {}, maxBufferMs: 0 })).toThrow(/maxBufferMs/);
    expect(() => new AudioPacer({ onFrame: () => {}, maxBurstFrames: 0 })).toThrow(/maxBurstFrames/);
    expect(() => new AudioPacer({} as AudioPacerOptions)).toThrow(/onFrame/);
  });

  it('reports an output that throws and keeps sending', () => {
    let calls = 0;
    const { pacer, clock, events } = harness({
      onFrame: () => {
        if (calls++ === 1) throw new Error('track ended');
      },
    });
    pacer.start();
    clock.advance(50);
    expect(calls).toBe(6);
    expect(pacer.stats.outputErrors).toBe(1);
    const error = events.find((e) => e.name === 'error')?.payload as { error: Error };
    expect(error.error.cause).toEqual(new Error('track ended'));
  });

  it('close() is idempotent, leaves no timer and ignores later writes', () => {
    const { pacer, clock, frames } = harness();
    pacer.start();
    pacer.write(ramp(4800), 48_000);
    clock.advance(30);
    pacer.close();
    pacer.close();
    expect(clock.pendingTimers).toBe(0);
    pacer.write(ramp(480), 48_000);
    pacer.flush();
    pacer.end();
    const sent = frames.length;
    clock.advance(100);
    expect(frames.length).toBe(sent);
    expect(() => pacer.start()).toThrow(/closed/);
  });

  it('runs on the real clock and leaves no timer behind after close()', async () => {
    const activeTimeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const sizes: number[] = [];
    const pacer = new AudioPacer({ sampleRate: 24_000, onFrame: (samples) => void sizes.push(samples.length) });
    pacer.start();
    pacer.write(tone(440, 24_000, 30), 24_000);
    await waitUntil(() => sizes.length > 0, 'a frame paced on the real clock');

    // Measured back to back, synchronously, so no other timer can come or go in between.
    const whileRunning = activeTimeouts();
    pacer.close();
    expect(activeTimeouts()).toBe(whileRunning - 1);
    expect(sizes.length).toBeGreaterThan(0);
    expect(sizes.every((size) => size === 240)).toBe(true);
  });
});
