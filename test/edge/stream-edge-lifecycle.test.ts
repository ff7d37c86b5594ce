/**
 * StreamEdge's REST side (agent user, call, conversation, demo link), its input checks, and
 * a clean shutdown: after close() no peer connection, socket or timer of ours is left.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EdgeError, ProviderError, ValidationError } from '../../src/core/errors.js';
import { StreamConversation } from '../../src/conversation/stream/index.js';
import { StreamEdge } from '../../src/edge/stream/index.js';
import { verifyJwt } from '../../testing/stream-video/index.js';
import { letTimePass, waitUntil } from '../support/wait.js';
import { API_KEY, API_SECRET, startStreamFakes, type StreamFakes } from './helpers.js';
import { ResourceTracker, activeResources } from './resource-tracker.js';

const CALL_ID = 'lifecycle-call';

describe('StreamEdge lifecycle (fake Stream REST and Video)', () => {
  const tracker = new ResourceTracker();
  let baseline: Record<string, number>;
  let fakes: StreamFakes;
  let edge: StreamEdge;

  beforeAll(async () => {
    baseline = activeResources();
    tracker.install();
    fakes = await startStreamFakes();
    edge = fakes.edge();
  });

  afterAll(async () => {
    await edge?.close();
    await fakes?.close();
    tracker.uninstall();
  });

  it('checks its input and its order of use, changing nothing', async () => {
    expect(() => new StreamEdge({ apiKey: '', apiSecret: 'x' })).toThrow(ValidationError);
    await expect(edge.createCall('default', CALL_ID)).rejects.toBeInstanceOf(EdgeError);
    await expect(edge.join({ type: 'default', id: CALL_ID, cid: `default:${CALL_ID}` })).rejects.toThrow(/authenticate/);
    await expect(edge.authenticate({ id: 'has space' })).rejects.toBeInstanceOf(ValidationError);
    expect(fakes.api.requests).toEqual([]);
  });

  it('upserts the agent user with its profile and custom fields', async () => {
    await edge.authenticate({
      id: 'agent',
      name: 'Gemini Agent',
      imageUrl: 'https://example.com/agent.png',
      custom: { provider: 'google', model: 'gemini-2.5-flash' },
    });
    expect(fakes.api.users.get('agent')).toMatchObject({
      id: 'agent',
      name: 'Gemini Agent',
      image: 'https://example.com/agent.png',
      custom: { provider: 'google', model: 'gemini-2.5-flash' },
    });
    await expect(edge.authenticate({ id: 'someone-else' })).rejects.toBeInstanceOf(EdgeError);
  });

  it('gets or creates the call, created by the agent, and rejects bad call ids', async () => {
    const call = await edge.createCall('default', CALL_ID);
    expect(call).toEqual({ type: 'default', id: CALL_ID, cid: `default:${CALL_ID}` });
    expect(fakes.api.calls.get(call.cid)).toMatchObject({ created_by_id: 'agent' });
    await expect(edge.createCall('default', 'no/slashes')).rejects.toBeInstanceOf(ValidationError);
    await expect(edge.createCall('', CALL_ID)).rejects.toBeInstanceOf(ValidationError);
    // The rule the worker's session URLs use too (src/core/call-ids.ts): call types are lowercase.
    await expect(edge.createCall('Default', CALL_ID)).rejects.toThrow(/call type "Default" is invalid/);
  });

  it('turns REST failures into ProviderErrors that say whether to retry', async () => {
    fakes.api.failNext(503);
    const error = await edge.createCall('default', 'other-call').catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ provider: 'stream', status: 503, retryable: true });
  });

  it("keeps the transcript in the call's chat channel, with the demo user as a member", async () => {
    const conversation = await edge.createConversation({ type: 'default', id: CALL_ID, cid: `default:${CALL_ID}` });
    expect(conversation).toBeInstanceOf(StreamConversation);
    expect(fakes.api.users.has('demo-user')).toBe(true);

    conversation.send('assistant', 'agent', 'Hello from the agent');
    await conversation.close();
    const channel = fakes.api.channels.get(`messaging:${CALL_ID}`);
    expect(channel?.members).toEqual(new Set(['agent', 'demo-user']));
    expect(fakes.api.transcript(`messaging:${CALL_ID}`).map((m) => [m.userId, m.text])).toEqual([['agent', 'Hello from the agent']]);
  });

  it('prints the demo link with a short-lived demo user token, without opening a browser here', async () => {
    const print = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const demoEdge = fakes.edge({ demoBaseUrl: 'https://demo.example.com/app', demoTokenTtlS: 600 });
    try {
      await demoEdge.authenticate({ id: 'agent' });
      const { url, opened } = await demoEdge.openDemo({ type: 'default', id: CALL_ID, cid: `default:${CALL_ID}` });

      expect(opened).toBe(false);
      expect(print.mock.calls.flat().join('\n')).toContain(url);
      const link = new URL(url);
      expect(`${link.origin}${link.pathname}`).toBe(`https://demo.example.com/app/join/${CALL_ID}`);
      expect(Object.fromEntries(link.searchParams)).toMatchObject({
        api_key: API_KEY,
        skip_lobby: 'true',
        user_name: 'Demo User',
        channel_type: 'messaging',
      });
      const verified = verifyJwt(link.searchParams.get('token')!, API_SECRET);
      expect('claims' in verified && verified.claims).toMatchObject({ user_id: 'demo-user' });
      const claims = 'claims' in verified ? verified.claims : {};
      expect(Number(claims.exp) - Number(claims.iat)).toBe(600);
    } finally {
      print.mockRestore();
      await demoEdge.close();
    }
  });

  it('gives up joining when the signal aborts', async () => {
    const controller = new AbortController();
    const joining = edge.join({ type: 'default', id: 'aborted-call', cid: 'default:aborted-call' }, { signal: controller.signal });
    controller.abort();
    await expect(joining).rejects.toMatchObject({ name: 'AbortError' });
    expect(edge.connections).toEqual([]);
    expect(fakes.video.call('aborted-call').sessions.size).toBe(0);
  });

  it('leaves no peer connection, socket or timer of its own after close()', async () => {
    const connection = await edge.join({ type: 'default', id: CALL_ID, cid: `default:${CALL_ID}` });
    fakes.video.call(CALL_ID).addParticipant({ userId: 'carol' });
    const output = await connection.publishAudio();
    connection.events.on('audio', () => undefined);
    output.write(new Int16Array(24_000), 24_000);
    await fakes.video.call(CALL_ID).recording('agent').waitFor((r) => r.frames.length > 20, 10_000, 'the agent track');
    expect(tracker.peerConnections.length).toBeGreaterThanOrEqual(2);

    await edge.close();
    await edge.close(); // idempotent

    expect(tracker.peerConnections.filter((pc) => pc.connectionState !== 'closed' && pc.signalingState !== 'closed')).toEqual([]);
    // The fake sees the agent's coordinator and SFU sockets go.
    await waitUntil(() => fakes.video.openWebSockets === 0, 'the client sockets to close', 5_000);
    // No timer of ours, and no repeating timer of the video client, is left...
    expect(tracker.pendingTimers('/src/').map((timer) => timer.origin)).toEqual([]);
    expect(tracker.pendingTimers('@stream-io').filter((timer) => timer.kind === 'interval').map((t) => t.origin)).toEqual([]);
    // ...only the SDK's own one-shot connect/disconnect watchdogs, which expire by themselves
    // (its socket close timers go as soon as the close handshakes finish).
    await waitUntil(
      () => tracker.pendingTimers('@stream-io').every((timer) => timer.dueAtMs - performance.now() <= 15_000),
      'only short one-shot SDK timers to remain',
      5_000,
    );
    await expect(edge.join({ type: 'default', id: CALL_ID, cid: `default:${CALL_ID}` })).rejects.toBeInstanceOf(EdgeError);

    // With the fakes gone too, the process holds what it held before the test (no sockets).
    await fakes.close();
    await letTimePass(50);
    const after = activeResources();
    for (const kind of ['TCPSocketWrap', 'TCPServerWrap', 'Immediate']) expect(after[kind] ?? 0, kind).toBe(baseline[kind] ?? 0);
  });
});
