/**
 * The Agent's video option end to end: the real StreamEdge (video-client + wrtc, VP8 decoded by
 * wrtc) against the Stream fakes, where a scripted participant publishes a camera and a screen
 * share; the real GeminiRealtime against the Live API fake, which records the frames it gets.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SfuModels } from '@stream-io/video-client';
import { Agent } from '../../src/agent/index.js';
import { GeminiRealtime } from '../../src/llm/gemini/realtime.js';
import { letTimePass, waitUntil } from '../support/wait.js';
import { startStreamFakes, type StreamFakes } from '../edge/helpers.js';
import { FakeGeminiLive } from '../../testing/gemini-live/index.js';
import type { SfuSession } from '../../testing/stream-video/index.js';

/** The fake camera sends solid colours (JPEGs under 1 kB); the fake screen, fine detail (tens of kB). */
const CAMERA_JPEG_MAX_BYTES = 5_000;
const SCREEN_JPEG_MIN_BYTES = 10_000;

interface Setup {
  stream: StreamFakes;
  live: FakeGeminiLive;
  agent: Agent;
  close(): Promise<void>;
}

let setup: Setup | undefined;
afterEach(async () => {
  await setup?.close();
  setup = undefined;
});

async function start(video: boolean): Promise<Setup> {
  const stream = await startStreamFakes();
  const live = await FakeGeminiLive.start();
  const edge = stream.edge();
  const agent = new Agent({
    edge,
    llm: new GeminiRealtime({ apiKey: live.apiKey, baseUrl: live.baseUrl, video }),
    agentUser: { id: 'agent', name: 'Test Agent' },
    // The model's own setting decides when the Agent is not told.
    ...(video ? { video: true } : {}),
  });
  return {
    stream,
    live,
    agent,
    async close() {
      await agent.close();
      await edge.close();
      await live.close();
      await stream.close();
    },
  };
}

const frames = (live: FakeGeminiLive) => live.latest?.videoFrames ?? [];
const isScreen = (frame: { bytes: number }) => frame.bytes >= SCREEN_JPEG_MIN_BYTES;
const isCamera = (frame: { bytes: number }) => frame.bytes < CAMERA_JPEG_MAX_BYTES;

/** The kinds of video the agent's client asked the SFU for last. */
function subscribedKinds(session: SfuSession | undefined): string[] {
  return (session?.requestedVideo ?? []).map(({ trackType }) => SfuModels.TrackType[trackType]).sort();
}

describe('Agent video', () => {
  it('sends about one JPEG a second of the camera, and the screen share instead while there is one', async () => {
    setup = await start(true);
    const { agent, stream, live } = setup;
    const fakeCall = stream.video.call('video-call');
    const alice = fakeCall.addParticipant({ userId: 'alice', name: 'Alice' });
    alice.publishVideo('video');
    await agent.join(await agent.createCall('default', 'video-call'));
    const agentSession = () => fakeCall.session('agent');

    await waitUntil(() => frames(live).length > 0, 'the first video frame', 8_000);
    const first = frames(live).length;
    await letTimePass(3_500);
    const camera = frames(live).slice(first);
    // One a second (3 here), loosely: the machine is shared and frame arrival jitters.
    expect(camera.length).toBeGreaterThanOrEqual(2);
    expect(camera.length).toBeLessThanOrEqual(4);
    expect(frames(live).every((frame) => frame.mimeType === 'image/jpeg')).toBe(true);
    expect(frames(live).every(isCamera)).toBe(true);
    expect(subscribedKinds(agentSession())).toEqual(['VIDEO']);

    alice.publishVideo('screen_share');
    await waitUntil(() => frames(live).some(isScreen), 'a frame of the screen');
    const screenFrom = frames(live).findIndex(isScreen);
    await waitUntil(() => frames(live).length >= screenFrom + 2, 'a second frame after it');
    expect(frames(live).slice(screenFrom).every(isScreen)).toBe(true);
    // The camera is no longer requested from the SFU: only what is shown is received.
    expect(subscribedKinds(agentSession())).toEqual(['SCREEN_SHARE']);

    // The share ends: back to the camera.
    const screenEnd = frames(live).length;
    alice.unpublishVideo('screen_share');
    await waitUntil(() => frames(live).slice(screenEnd).some(isCamera), 'a frame of the camera again');
    expect(subscribedKinds(agentSession())).toEqual(['VIDEO']);
  });

  it('sends no video and subscribes to none when the option is off', async () => {
    setup = await start(false);
    const { agent, stream, live } = setup;
    const fakeCall = stream.video.call('quiet-call');
    const alice = fakeCall.addParticipant({ userId: 'alice' });
    alice.publishVideo('video');
    alice.publishVideo('screen_share');
    await agent.join(await agent.createCall('default', 'quiet-call'));
    await letTimePass(1_500);
    expect(frames(live)).toEqual([]);
    expect(fakeCall.session('agent')?.subscriptionUpdates.flat() ?? []).toEqual([]);
  });
});
