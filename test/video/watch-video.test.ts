/**
 * `Connection.watchVideo` on the real StreamEdge (video-client + wrtc) against the Stream fakes:
 * published videos are announced, the SFU is asked for a video only while it is watched, and
 * the decoded frames come at most one per interval.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SfuModels } from '@stream-io/video-client';
import type { I420Frame } from '../../src/video/index.js';
import type { StreamConnection, StreamEdge } from '../../src/edge/stream/index.js';
import { letTimePass, waitUntil } from '../support/wait.js';
import { nextEvent, startStreamFakes, type StreamFakes } from '../edge/helpers.js';
import type { FakeCall, RemoteParticipant } from '../../testing/stream-video/index.js';

const CALL_ID = 'watch-call';

describe('watchVideo (fake Stream Video, real WebRTC)', () => {
  let fakes: StreamFakes;
  let edge: StreamEdge;
  let connection: StreamConnection;
  let fakeCall: FakeCall;
  let alice: RemoteParticipant;

  /** The videos the agent's client asked the SFU for last, as `user/TYPE`. */
  const requested = () =>
    (fakeCall.session('agent')?.requestedVideo ?? []).map(
      ({ sessionId, trackType }) => `${fakeCall.remotes.get(sessionId)?.userId}/${SfuModels.TrackType[trackType]}`,
    );

  beforeAll(async () => {
    fakes = await startStreamFakes();
    edge = fakes.edge();
    await edge.authenticate({ id: 'agent' });
    fakeCall = fakes.video.call(CALL_ID);
    alice = fakeCall.addParticipant({ userId: 'alice' });
    alice.publishVideo('video');
    connection = await edge.join(await edge.createCall('default', CALL_ID));
  });

  afterAll(async () => {
    await edge?.close();
    await fakes?.close();
  });

  it('samples a published camera at most once per interval, and only asks for it while watched', async () => {
    await waitUntil(() => connection.videoSources.length > 0, 'the published camera', 5_000);
    const [source] = connection.videoSources;
    expect(source).toMatchObject({ kind: 'video', participant: { userId: 'alice', sessionId: alice.sessionId } });
    await letTimePass(200);
    expect(requested()).toEqual([]);

    const frames: { atMs: number; frame: I420Frame }[] = [];
    const stop = connection.watchVideo(source!.participant, 'video', {
      intervalMs: 300,
      onFrame: (frame) => frames.push({ atMs: performance.now(), frame }),
    });
    await waitUntil(() => frames.length >= 4, 'four frames', 5_000);
    expect(requested()).toEqual(['alice/VIDEO']);
    const first = frames[0]!.frame;
    expect([first.width, first.height, first.data.length]).toEqual([320, 240, 320 * 240 * 1.5]);
    // The fake camera is a solid colour of its palette (red, green, blue, …), decoded from VP8.
    expect([81, 145, 41, 210, 170, 106, 235, 126].some((luma) => Math.abs(first.data[320 * 120 + 160]! - luma) <= 6)).toBe(true);
    // Frames are taken 300 ms apart at least; a delivery may lag its frame by up to an interval.
    const spanMs = frames.at(-1)!.atMs - frames[0]!.atMs;
    expect(frames.length - 1).toBeLessThanOrEqual(Math.floor(spanMs / 300) + 1);

    stop();
    stop();
    await waitUntil(() => requested().length === 0, 'the subscription to end', 3_000);
    const count = frames.length;
    await letTimePass(400);
    expect(frames.length).toBe(count);
  });

  it('starts before a screen share is published and ends when it is unpublished', async () => {
    const frames: I420Frame[] = [];
    const published = nextEvent(connection.events, 'video.published', ({ kind }) => kind === 'screen_share');
    const stop = connection.watchVideo({ userId: 'alice', sessionId: alice.sessionId }, 'screen_share', {
      intervalMs: 200,
      onFrame: (frame) => frames.push(frame),
    });
    alice.publishVideo('screen_share', { width: 640, height: 360 });
    await published;
    await waitUntil(() => frames.length > 0, 'a screen frame', 5_000);
    expect([frames[0]!.width, frames[0]!.height]).toEqual([640, 360]);
    expect(requested()).toEqual(['alice/SCREEN_SHARE']);

    const unpublished = nextEvent(connection.events, 'video.unpublished', ({ kind }) => kind === 'screen_share');
    const trackRemoved = nextEvent(connection.events, 'track.removed', ({ kind }) => kind === 'screen_share');
    alice.unpublishVideo('screen_share');
    await unpublished;
    // The SDK keeps the ended share's stream on the participant; the edge still reports it gone.
    await expect(trackRemoved).resolves.toMatchObject({ participant: { userId: 'alice' }, kind: 'screen_share' });
    expect(connection.videoSources.map(({ kind }) => kind)).toEqual(['video']);
    await letTimePass(300);
    const count = frames.length;
    await letTimePass(400);
    expect(frames.length).toBe(count);
    stop();
  });

  it('rejects a bad watch with a ValidationError', () => {
    const participant = { userId: 'alice', sessionId: alice.sessionId };
    expect(() => connection.watchVideo(participant, 'video', { intervalMs: -1, onFrame: () => {} })).toThrow(/intervalMs/);
    expect(() => connection.watchVideo(participant, 'audio' as never, { intervalMs: 100, onFrame: () => {} })).toThrow(/kind/);
  });
});
