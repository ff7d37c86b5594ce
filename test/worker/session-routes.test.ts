/**
 * The sessions API over real sockets, with in-test agents: the answers a client gets for
 * every success and every mistake, the beacon close, /ready and /metrics.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startWorkerNode, type WorkerNode, type WorkerNodeOptions } from './worker-harness.js';
import { waitUntil } from '../support/wait.js';

const nodes: WorkerNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((node) => node.close()));
});

async function node(options: WorkerNodeOptions = {}): Promise<WorkerNode> {
  const started = await startWorkerNode(options);
  nodes.push(started);
  return started;
}

async function startSession(worker: WorkerNode, path = '/calls/default/call-1/sessions') {
  const response = await worker.request('POST', path);
  expect(response.status).toBe(201);
  return (await response.json()) as { sessionId: string; closeToken: string; callId: string; state: string };
}

describe('sessions API', () => {
  it('starts a session (201) and reads it back, without secrets', async () => {
    const worker = await node();
    const response = await worker.request('POST', '/calls/default/call-1/sessions');
    expect(response.status).toBe(201);
    const body = await response.json();
    expect(body).toMatchObject({ callType: 'default', callId: 'call-1', state: 'active', nodeId: worker.worker.nodeId });
    expect(Date.parse(body.startedAt)).not.toBeNaN();
    expect(response.headers.get('location')).toBe(`/calls/default/call-1/sessions/${body.sessionId}`);
    expect(worker.agents.latest!.call).toEqual({ type: 'default', id: 'call-1' });

    const read = await worker.request('GET', `/calls/default/call-1/sessions/${body.sessionId}`);
    expect(read.status).toBe(200);
    const record = await read.json();
    expect(record).toMatchObject({ sessionId: body.sessionId, state: 'active' });
    expect(record).not.toHaveProperty('closeTokenHash');
    expect(JSON.stringify(record)).not.toContain(body.closeToken);
  });

  it('accepts a POST with a JSON content type and no body', async () => {
    const worker = await node();
    const response = await worker.request('POST', '/calls/default/c2/sessions', { headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(201);
  });

  it('answers 400 naming the invalid id, and changes nothing', async () => {
    const worker = await node();
    const cases: Array<[string, string]> = [
      ['/calls/Default!/call-1/sessions', 'callType'],
      [`/calls/default/${'x'.repeat(65)}/sessions`, 'callId'],
      [`/calls/default/${'x'.repeat(300)}/sessions`, 'callId'],
      ['/calls/default/call.1/sessions', 'callId'],
    ];
    for (const [path, field] of cases) {
      const response = await worker.request('POST', path);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: 'INVALID_REQUEST', path: field });
    }
    const badSession = await worker.request('GET', '/calls/default/call-1/sessions/not-a-uuid');
    expect(badSession.status).toBe(400);
    expect(await badSession.json()).toMatchObject({ path: 'sessionId' });
    expect(worker.agents.agents).toHaveLength(0);
  });

  it('refuses requests without a valid key (401) and calls the hook refuses (403)', async () => {
    const worker = await node({ authorizeCall: (_request, call) => call.id.startsWith('allowed-') });
    const anonymous = await worker.request('POST', '/calls/default/allowed-1/sessions', { key: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expect((await worker.request('POST', '/calls/default/allowed-1/sessions', { key: 'wrong' })).status).toBe(401);
    const forbidden = await worker.request('POST', '/calls/default/other-1/sessions');
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toMatchObject({ code: 'FORBIDDEN' });
    expect((await worker.request('POST', '/calls/default/allowed-1/sessions')).status).toBe(201);
    expect(worker.agents.agents).toHaveLength(1);
  });

  it('answers 429 at the per-call and per-node limits', async () => {
    const worker = await node({ env: { MAX_SESSIONS: '2', MAX_SESSIONS_PER_CALL: '1' } });
    await startSession(worker, '/calls/default/a/sessions');
    const sameCall = await worker.request('POST', '/calls/default/a/sessions');
    expect(sameCall.status).toBe(429);
    expect(await sameCall.json()).toMatchObject({ code: 'CALL_SESSION_LIMIT' });
    await startSession(worker, '/calls/default/b/sessions');
    const full = await worker.request('POST', '/calls/default/c/sessions');
    expect(full.status).toBe(429);
    expect(full.headers.get('retry-after')).toBe('5');
    expect(await full.json()).toMatchObject({ code: 'NODE_SESSION_LIMIT', message: expect.stringContaining('MAX_SESSIONS') });
  });

  it('answers 502 naming the failing component when the agent cannot join', async () => {
    const worker = await node();
    worker.agents.options.failWith = new Error('the model failed to start: Gemini said 401');
    const response = await worker.request('POST', '/calls/default/call-1/sessions');
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ code: 'AGENT_START_FAILED', message: expect.stringContaining('Gemini said 401') });
    worker.agents.options.failWith = undefined;
    expect((await worker.request('POST', '/calls/default/call-1/sessions')).status).toBe(201);
  });

  it('closes a session with DELETE (202) and keeps how it ended readable', async () => {
    const worker = await node();
    const { sessionId } = await startSession(worker);
    const path = `/calls/default/call-1/sessions/${sessionId}`;
    const response = await worker.request('DELETE', path);
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ sessionId, state: 'closing' });
    await waitUntil(async () => (await (await worker.request('GET', path)).json()).state === 'ended', 'the session to end');
    expect(await (await worker.request('GET', path)).json()).toMatchObject({ endReason: 'closed', endedAt: expect.any(String) });
    expect(worker.agents.latest!.closed).toBe(true);
    // Closing again is harmless.
    expect((await worker.request('DELETE', path)).status).toBe(202);
  });

  it('answers 404 for an unknown session and for a session of another call', async () => {
    const worker = await node();
    const { sessionId } = await startSession(worker);
    expect((await worker.request('GET', '/calls/default/call-1/sessions/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    const elsewhere = await worker.request('DELETE', `/calls/default/call-2/sessions/${sessionId}`);
    expect(elsewhere.status).toBe(404);
    expect(worker.agents.latest!.closed).toBe(false);
  });

  it('closes by beacon with the close token, and refuses a wrong or missing token', async () => {
    const worker = await node();
    const { sessionId, closeToken } = await startSession(worker);
    const path = `/calls/default/call-1/sessions/${sessionId}/close`;
    expect((await worker.request('POST', path, { key: null })).status).toBe(401);
    expect((await worker.request('POST', `${path}?token=a&token=b`, { key: null })).status).toBe(401);
    expect((await worker.request('POST', `${path}?token=${closeToken}`, { key: 'wrong-key' })).status).toBe(401);
    const wrong = await worker.request('POST', `${path}?token=not-the-token`, { key: null });
    expect(wrong.status).toBe(403);
    expect(worker.agents.latest!.closed).toBe(false);
    // What navigator.sendBeacon(url, new URLSearchParams({ token })) sends.
    const beacon = await worker.request('POST', path, {
      key: null,
      body: new URLSearchParams({ token: closeToken }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(beacon.status).toBe(202);
    await waitUntil(() => worker.agents.latest!.closed, 'the agent to be closed');

    const second = await startSession(worker, '/calls/default/call-2/sessions');
    const byQuery = await worker.request('POST', `/calls/default/call-2/sessions/${second.sessionId}/close?token=${second.closeToken}`, { key: null });
    expect(byQuery.status).toBe(202);
    const third = await startSession(worker, '/calls/default/call-3/sessions');
    expect((await worker.request('POST', `/calls/default/call-3/sessions/${third.sessionId}/close`)).status).toBe(202);
  });

  it("gives a session's figures", async () => {
    const worker = await node();
    const { sessionId } = await startSession(worker);
    worker.agents.latest!.turn({ responseLatencyMs: 420 });
    const response = await worker.request('GET', `/calls/default/call-1/sessions/${sessionId}/metrics`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      sessionId,
      state: 'active',
      live: true,
      figures: { turns: 1, humans: 1, responseLatencyMs: { count: 1, lastMs: 420 } },
    });
  });

  it('is ready until it drains; draining refuses sessions with 503 and closes the running ones', async () => {
    const worker = await node({ agents: { closeDelayMs: 20 } });
    const ready = await worker.request('GET', '/ready', { key: null });
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', nodeId: worker.worker.nodeId, sessions: 0 });
    await startSession(worker);
    worker.agents.latest!.turn();
    const drained = worker.worker.drain(2_000);
    const notReady = await worker.request('GET', '/ready', { key: null });
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ status: 'draining' });
    const refused = await worker.request('POST', '/calls/default/call-9/sessions');
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ code: 'DRAINING' });
    expect(await drained).toEqual({ closed: 1, abandoned: 0 });
    expect(worker.agents.latest!.flushed).toEqual(['user 1', 'agent 1']);
    expect((await worker.request('GET', '/health', { key: null })).status).toBe(200);
  });

  it('serves Prometheus metrics, completion durations included', async () => {
    const worker = await node();
    await startSession(worker);
    const completion = await worker.request('POST', '/api/v1/conversation/complete', {
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ backstory: 'Be brief.', messages: [{ type: 'user', text: 'hello' }] }),
    });
    expect(completion.status).toBe(200);
    const response = await worker.request('GET', '/metrics', { key: null });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('agents_sessions_active 1');
    expect(text).toContain('agents_sessions_started_total 1');
    expect(text).toMatch(/agents_session_start_seconds_count 1/);
    expect(text).toMatch(/agents_completion_request_duration_seconds_count\{status="200"\} 1/);
    expect(text).toContain('process_cpu_seconds_total');
  });
});
