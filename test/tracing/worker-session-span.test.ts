/** The span of a worker session: from the start request to its end, with the agent's spans beneath. */
import { SpanStatusCode } from '@opentelemetry/api';
import { pino } from 'pino';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSpan } from '../../src/core/tracing.js';
import { Session } from '../../src/worker/session.js';
import { FakeAgent } from '../worker/fake-agent.js';
import { startWorkerNode, type WorkerNode } from '../worker/worker-harness.js';
import { waitUntil } from '../support/wait.js';
import { isChildOf, recordSpans, resetSpans, spanNamed } from './span-recorder.js';

beforeAll(recordSpans);
beforeEach(resetSpans);

let node: WorkerNode | undefined;
afterEach(async () => {
  await node?.close();
  node = undefined;
});

const limits = { idleTimeoutMs: 60_000, maxDurationMs: 60_000, startTimeoutMs: 5_000 };

describe('worker.session span', () => {
  it('covers a session from its start to its end: call, node, session id and end reason', async () => {
    node = await startWorkerNode({ nodeId: 'node-a' });
    const started = await node.request('POST', '/calls/default/traced-call/sessions');
    expect(started.status).toBe(201);
    const { sessionId } = (await started.json()) as { sessionId: string };
    expect((await node.request('DELETE', `/calls/default/traced-call/sessions/${sessionId}`)).status).toBe(202);

    const span = await spanNamed('worker.session');
    expect(span.attributes).toMatchObject({
      'agent.session_id': sessionId,
      'agent.call_type': 'default',
      'agent.call_id': 'traced-call',
      'agent.node_id': 'node-a',
      'agent.end_reason': 'closed',
      'agent.joined': true,
    });
    expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
  });

  it('runs the agent factory in its context, and records a failed start as an error', async () => {
    const session = new Session({ sessionId: 's-1', call: { type: 'default', id: 'c-1' }, nodeId: 'n', closeTokenHash: 'h', limits, logger: pino({ level: 'silent' }) });
    const failure = session.start(async () => {
      startSpan('agent.work').end();
      throw new Error('the model failed to start');
    });
    await expect(failure).rejects.toThrow();
    const span = await spanNamed('worker.session');
    expect(isChildOf(await spanNamed('agent.work'), span)).toBe(true);
    expect(span.attributes).toMatchObject({ 'agent.end_reason': 'error', 'agent.joined': false });
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('a session whose agent finishes by itself ends with call-ended', async () => {
    let agent: FakeAgent | undefined;
    const session = new Session({ sessionId: 's-2', call: { type: 'default', id: 'c-2' }, nodeId: 'n', closeTokenHash: 'h', limits, logger: pino({ level: 'silent' }) });
    await session.start(async (call, { sessionId }) => (agent = new FakeAgent(call, sessionId, {})));
    await agent!.close();
    await waitUntil(() => session.state === 'ended', 'the session to end');
    expect((await spanNamed('worker.session')).attributes).toMatchObject({ 'agent.end_reason': 'call-ended', 'agent.session_id': 's-2' });
  });
});
