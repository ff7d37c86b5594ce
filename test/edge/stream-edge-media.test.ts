/**
 * StreamEdge media against the local Stream Video fake, over real WebRTC (wrtc on both sides):
 * one join, a scripted remote participant, audio both ways, barge-in, leave.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Participant } from '../../src/edge/index.js';
import type { StreamConnection, StreamEdge } from '../../src/edge/stream/index.js';
import type { AudioOutput } from '../../src/edge/index.js';
import { concat, soundSampleSpan, soundSpan, tone, toneFrequencyHz, type RemoteParticipant } from '../../testing/stream-video/index.js';
import { letTimePass } from '../support/wait.js';
import { collectAudio, nextEvent, startStreamFakes, type StreamFakes } from './helpers.js';

const CALL_ID = 'media-call';

/** The frequency of the middle half of the sound in a stream of 10 ms frames (48 kHz). */
function frequencyOfSound(frames: Int16Array[]): number {
  const span = soundSpan(frames);
  if (!span) return 0;
  const length = span.last - span.first + 1;
  const middle = frames.slice(span.first + Math.floor(length / 4), span.last - Math.floor(length / 4));
  return toneFrequencyHz(concat(middle), 48_000);
}

/** How long the sound in a 48 kHz stream lasts, first to last loud sample, in ms. */
function durationOfSoundMs(samples: Int16Array): number {
  const span = soundSampleSpan(samples);
  return span ? (span.last - span.first + 1) / 48 : 0;
}

/** `samples` in chunks of irregular sizes, as a model streams them. */
function writeInOddChunks(output: AudioOutput, samples: Int16Array, sampleRate: number): void {
  const sizes = [37, 480, 1, 999, 160, 2048, 7];
  for (let offset = 0, i = 0; offset < samples.length; i++) {
    const size = sizes[i % sizes.length] as number;
    output.write(samples.subarray(offset, offset + size), sampleRate);
    offset += size;
  }
}

describe('StreamEdge media (fake Stream Video, real WebRTC)', () => {
  let fakes: StreamFakes;
  let edge: StreamEdge;
  let connection: StreamConnection;
  let human: RemoteParticipant;
  let output: AudioOutput;

  beforeAll(async () => {
    fakes = await startStreamFakes();
    edge = fakes.edge();
    await edge.authenticate({ id: 'agent', name: 'Agent', custom: { provider: 'google', model: 'gemini-test' } });
    connection = await edge.join(await edge.createCall('default', CALL_ID));
  });

  afterAll(async () => {
    await edge?.close();
    await fakes?.close();
  });

  it('joins the call as the agent user', async () => {
    expect(connection.state).toBe('connected');
    const session = await fakes.video.call(CALL_ID).waitForSession('agent');
    expect(session.name).toBe('Agent');
    expect(connection.participants).toEqual([]);
  });

  it('announces a participant who joins, and their microphone track', async () => {
    const joined = nextEvent(connection.events, 'participant.joined');
    const trackAdded = nextEvent(connection.events, 'track.added');
    human = fakes.video.call(CALL_ID).addParticipant({ userId: 'alice', name: 'Alice' });

    const { participant } = await joined;
    expect(participant).toMatchObject({ userId: 'alice', name: 'Alice', sessionId: human.sessionId });
    const added = await trackAdded;
    expect(added.kind).toBe('audio');
    expect(added.participant).toBe(participant);
    expect(added.track.kind).toBe('audio');
    expect(connection.participants.map((p: Participant) => p.userId)).toEqual(['alice']);
  });

  it("delivers the participant's tone as 48 kHz mono frames at the right frequency", async () => {
    const audio = collectAudio(connection, 'alice');
    await human.playTone(440, 800, 8000);
    await letTimePass(300); // the tail through the jitter buffer
    audio.stop();

    expect([...audio.rates]).toEqual(['48000/1']);
    // Within 1 %: the receiver's jitter buffer may splice a period here and there.
    expect(Math.abs(frequencyOfSound(audio.frames) - 440)).toBeLessThan(4.4);
  });

  it('publishes what the agent writes, at 16, 24 and 48 kHz in any chunk size', async () => {
    output = await connection.publishAudio();
    expect(await connection.publishAudio()).toBe(output);
    const recording = fakes.video.call(CALL_ID).recording('agent');
    await recording.waitFor((r) => r.frames.length > 20, 10_000, 'the agent track to reach the SFU');
    const from = recording.frames.length;

    for (const [frequencyHz, sampleRate] of [
      [300, 16_000],
      [500, 24_000],
      [700, 48_000],
    ] as const) {
      writeInOddChunks(output, tone(frequencyHz, 400, sampleRate, 8000), sampleRate);
    }
    output.end();
    const drained = await nextEvent(output.events, 'playbackDrained');
    expect(drained).toMatchObject({ reason: 'ended', playedMs: 1200 });
    await letTimePass(300);

    const frames = recording.frames.slice(from).map((frame) => frame.samples);
    const span = soundSpan(frames);
    expect(span).toBeDefined();
    // 1.2 s of sound reached the SFU; the receiver's jitter buffer may stretch or squeeze it a little.
    const receivedMs = durationOfSoundMs(recording.samples(from));
    expect(receivedMs).toBeGreaterThanOrEqual(1200 * 0.85);
    expect(receivedMs).toBeLessThanOrEqual(1200 * 1.15);
    // Each 400 ms third, measured away from its edges.
    const thirds = [0, 1, 2].map((third) => {
      const start = span!.first + third * 40 + 8;
      return toneFrequencyHz(concat(frames.slice(start, start + 24)), 48_000);
    });
    expect(thirds.map((hz) => Math.round(hz / 10) * 10)).toEqual([300, 500, 700]);
    expect(output.stats.underruns).toBe(0);
  });

  it('flush() silences the output within 20 ms (barge-in)', async () => {
    // How this is measured, with nothing depending on wall-clock timing:
    // 1. The requirement, at the pacer, in samples: the audio with sound handed to wrtc after
    //    flush() (whole 10 ms frames) is at most 20 ms. wrtc's RTCAudioSource keeps no queue of
    //    its own (each frame goes straight to the encoder), so this is what the call receives.
    // 2. On the wire, that it is so: the SFU's copy goes silent and stays silent, and the sound
    //    it got is the sound sent before flush(), not the 3 s written. The receiver's jitter
    //    buffer (NetEq) may stretch or squeeze a pure tone when the machine is busy, so that
    //    comparison allows a quarter of the tone and 20 ms either way; the 20 ms bound on what
    //    flush() lets through is step 1's.
    const recording = fakes.video.call(CALL_ID).recording('agent');
    const from = recording.frames.length;
    const soundFramesSent = () => output.stats.framesSent - output.stats.silentFramesSent;
    const soundFramesBefore = soundFramesSent();

    output.write(tone(1000, 3000, 24_000, 8000), 24_000);
    await recording.waitFor(
      (r) => r.frames.slice(from).filter((frame) => soundSpan([frame.samples]) !== undefined).length >= 30,
      10_000,
      '300 ms of tone at the SFU',
    );
    const soundFramesAtFlush = soundFramesSent() - soundFramesBefore;
    output.flush();
    await letTimePass(600);

    const soundSentAfterFlushMs = (soundFramesSent() - soundFramesBefore - soundFramesAtFlush) * 10;
    expect(soundSentAfterFlushMs).toBeLessThanOrEqual(20);
    expect(output.stats.bufferedMs).toBe(0);

    const sentBeforeFlushMs = soundFramesAtFlush * 10;
    const receivedSoundMs = durationOfSoundMs(recording.samples(from));
    expect(receivedSoundMs).toBeGreaterThanOrEqual(sentBeforeFlushMs * 0.75 - 20);
    expect(receivedSoundMs).toBeLessThanOrEqual(sentBeforeFlushMs * 1.25 + 20);
    const lastFrames = recording.frames.slice(-30).map((frame) => frame.samples);
    expect(soundSpan(lastFrames)).toBeUndefined();
  });

  it('announces the participant leaving, track first', async () => {
    const order: string[] = [];
    connection.events.on('track.removed', ({ participant, kind }) => {
      order.push(`track.removed ${participant.userId} ${kind}`);
    });
    const left = nextEvent(connection.events, 'participant.left');
    human.leave();
    const { participant } = await left;
    order.push(`participant.left ${participant.userId}`);

    expect(order).toEqual(['track.removed alice audio', 'participant.left alice']);
    expect(connection.participants).toEqual([]);
  });
});
