/**
 * The SessionManager alone, with in-test agents and the in-memory registry: limits, the
 * lifecycle timers, crashes, close requests across "nodes" (two managers, one registry) and
 * draining.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { MemorySessionStore } from '../../src/store/memory-session-store.js';
import { WorkerMetrics } from '../../src/http/metrics.js';
import { SessionManager, type SessionManagerLimits } from '../../src/worker/session-manager.js';
import { letTimePass, waitUntil } from '../support/wait.js';
import { FakeAgents, type FakeAgentsOptions } from './fake-agent.js';

const call = (id = 'call-1') => ({ type: 'default', id });

const opened: SessionManager[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((manager) => manager.close({ drainTimeoutMs: 2_000 })));
});

async function node(options: {
  store?: MemorySessionStore;
  limits?: Partial<SessionManagerLimits>;
  agents?: FakeAgentsOptions;
  nodeId?: string;
  heartbeatIntervalMs?: number;
  startTimeoutMs?: number;
} = {}) {
  const store = options.store ?? new MemorySessionStore();
  const agents = new FakeAgents(options.agents);
  const metrics = new WorkerMetrics({ defaultMetrics: false });
  const manager = new SessionManager({
    factory: agents.factory,
    store,
    limits: { maxSessions: 5, maxSessionsPerCall: 1, idleTimeoutMs: 60_000, maxSessionDurationMs: 3_600_000, ...options.limits },
    timing: { heartbeatIntervalMs: options.heartbeatIntervalMs ?? 50, leaseTtlMs: 5_000, startTimeoutMs: options.startTimeoutMs },
    nodeId: options.nodeId,
    metrics,
  });
  await manager.open();
  opened.push(manager);
  const metric = async (name: string) => (await metrics.registry.getSingleMetricAsString(name)).split('\n').filter((line) => !line.startsWith('#'));
  return { manager, agents, store, metrics, metric };
}

describe('SessionManager', () => {
  it('starts an agent in the call and records the session as active', async () => {
    const { manager, agents } = await node();
    const started = await manager.start(call());
    expect(started).toMatchObject({ callType: 'default', callId: 'call-1', state: 'active', nodeId: manager.nodeId });
    expect(started.closeToken.length).toBeGreaterThanOrEqual(32);
    expect(agents.latest!.call).toEqual(call());
    expect(agents.latest!.sessionId).toBe(started.sessionId);
    expect(await manager.get(started.sessionId)).toMatchObject({ state: 'active', callId: 'call-1' });
    expect(manager.activeCount).toBe(1);
  });

  it('refuses beyond MAX_SESSIONS on this node and MAX_SESSIONS_PER_CALL per call, even concurrently', async () => {
    const { manager, agents, metric } = await node({ limits: { maxSessions: 4, maxSessionsPerCall: 2 }, agents: { joinDelayMs: 20 } });
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => manager.start(call('busy'))));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(2);
    const refused = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
    expect(refused.every((error) => error.code === 'CALL_SESSION_LIMIT')).toBe(true);
    expect(refused[0].message).toContain('MAX_SESSIONS_PER_CALL');

    await manager.start(call('other'));
    await manager.start(call('third'));
    await expect(manager.start(call('fourth'))).rejects.toMatchObject({ code: 'NODE_SESSION_LIMIT', retryable: true });
    expect(agents.agents).toHaveLength(4);
    expect(await metric('agents_sessions_refused_total')).toEqual(
      expect.arrayContaining(['agents_sessions_refused_total{reason="call_limit"} 2', 'agents_sessions_refused_total{reason="node_limit"} 1']),
    );
  });

  it('ends a session after the idle timeout with no human, and not while someone is there', async () => {
    const { manager, agents } = await node({ limits: { idleTimeoutMs: 80 } });
    const started = await manager.start(call());
    const agent = agents.latest!;
    await letTimePass(200);
    expect(agent.closed).toBe(false); // a human is in the call
    agent.leave();
    agent.join(); // back before the timeout: the clock stops
    await letTimePass(200);
    expect(agent.closed).toBe(false);
    agent.leave();
    await waitUntil(() => agent.closed, 'the idle agent to be closed');
    await waitUntil(async () => (await manager.get(started.sessionId))?.state === 'ended', 'the session record to end');
    expect(await manager.get(started.sessionId)).toMatchObject({ endReason: 'idle' });
    expect(manager.activeCount).toBe(0);
  });

  it('starts the idle clock at once when the agent joins an empty call', async () => {
    const { manager, agents } = await node({ limits: { idleTimeoutMs: 50 }, agents: { humans: 0 } });
    const started = await manager.start(call());
    await waitUntil(() => agents.latest!.closed, 'the agent alone in the call to be closed');
    await waitUntil(async () => (await manager.get(started.sessionId))?.state === 'ended', 'the session record to end');
    expect(await manager.get(started.sessionId)).toMatchObject({ state: 'ended', endReason: 'idle' });
    expect(agents.latest!.closeCalls).toBe(1);
    expect(manager.activeCount).toBe(0);
  });

  it('ends a session at MAX_SESSION_DURATION_MS, and when the call ends by itself', async () => {
    const { manager, agents } = await node({ limits: { maxSessionDurationMs: 80 } });
    const long = await manager.start(call('long'));
    await waitUntil(async () => (await manager.get(long.sessionId))?.endReason === 'max-duration', 'the long session to end at its maximum duration');
    expect(agents.agents[0]!.closed).toBe(true);

    const { manager: other, agents: otherAgents } = await node();
    const short = await other.start(call('short'));
    otherAgents.latest!.endCall();
    await waitUntil(async () => (await other.get(short.sessionId))?.endReason === 'call-ended', 'the session to end with its call');
    expect(otherAgents.latest!.closeCalls).toBe(1); // closed anyway: idempotent, leaves nothing behind
  });

  it('logs, removes and counts a session that crashes, and keeps serving', async () => {
    const { manager, agents, metric } = await node({ limits: { maxSessionsPerCall: 2 } });
    const crashing = await manager.start(call());
    agents.latest!.crash(new Error('model socket exploded'));
    await waitUntil(async () => (await manager.get(crashing.sessionId))?.state === 'ended', 'the crashed session record to end');
    expect(await manager.get(crashing.sessionId)).toMatchObject({ endReason: 'error', error: 'model socket exploded' });
    expect(manager.activeCount).toBe(0);
    expect(await metric('agents_sessions_failed_total')).toContain('agents_sessions_failed_total{stage="running"} 1');

    agents.options.failWith = new Error('the call failed to start: 403 from Stream');
    await expect(manager.start(call())).rejects.toMatchObject({
      code: 'AGENT_START_FAILED',
      message: expect.stringContaining('403 from Stream'),
    });
    expect(await metric('agents_sessions_failed_total')).toContain('agents_sessions_failed_total{stage="start"} 1');

    agents.options.failWith = undefined;
    await manager.start(call()); // the slot of the failed start was released
    expect(manager.activeCount).toBe(1);
  });

  it('gives up on a start that takes longer than the start timeout, and closes a late agent', async () => {
    const { manager, agents } = await node({ startTimeoutMs: 50, agents: { joinDelayMs: 150 } });
    await expect(manager.start(call())).rejects.toMatchObject({ code: 'AGENT_START_TIMEOUT' });
    await waitUntil(() => agents.agents.length === 1 && agents.latest!.closed, 'the late agent to be closed');
    expect(agents.signals[0]!.aborted).toBe(true);
    expect(manager.activeCount).toBe(0);
  });

  it('closes a session on another node through the shared registry', async () => {
    const store = new MemorySessionStore();
    const a = await node({ store, nodeId: 'node-a' });
    const b = await node({ store, nodeId: 'node-b' });
    const started = await b.manager.start(call());
    expect(await a.manager.get(started.sessionId)).toMatchObject({ nodeId: 'node-b', state: 'active' });
    const answer = await a.manager.requestClose(started.sessionId);
    expect(answer).toMatchObject({ state: 'closing' });
    await waitUntil(() => b.agents.latest!.closed, 'the agent on node b to be closed');
    await waitUntil(async () => (await a.manager.get(started.sessionId))?.state === 'ended', 'node a to see the session ended');
    expect(await a.manager.get(started.sessionId)).toMatchObject({ endReason: 'closed' });
    expect(await a.manager.requestClose('00000000-0000-4000-8000-000000000000')).toBeUndefined();
  });

  it('closes a session whose close message was missed, on its next heartbeat', async () => {
    // A registry whose push messages never arrive, as when a subscriber was reconnecting.
    class DeafStore extends MemorySessionStore {
      override async onCloseRequest(): Promise<() => Promise<void>> {
        return async () => {};
      }
    }
    const store = new DeafStore();
    const owner = await node({ store, nodeId: 'owner', heartbeatIntervalMs: 30 });
    const other = await node({ store, nodeId: 'other' });
    const started = await owner.manager.start(call());
    expect(await other.manager.requestClose(started.sessionId)).toMatchObject({ state: 'closing' });
    await waitUntil(() => owner.agents.latest!.closed, "the owner's agent to be closed at a heartbeat");
    await waitUntil(async () => (await other.manager.get(started.sessionId))?.state === 'ended', 'the other node to see the session ended');
    expect(await other.manager.get(started.sessionId)).toMatchObject({ state: 'ended', endReason: 'closed', nodeId: 'owner' });
    expect(owner.manager.activeCount).toBe(0);
  });

  it('re-asserts its leases as soon as the store reconnects, not at the next heartbeat', async () => {
    // A registry whose connection can be made to come back, counting renewals.
    class ReconnectingStore extends MemorySessionStore {
      reconnected: () => void = () => {};
      renewals = 0;
      override onReconnect(listener: () => void): () => void {
        this.reconnected = listener;
        return () => {};
      }
      override renew(...args: Parameters<MemorySessionStore['renew']>) {
        this.renewals++;
        return super.renew(...args);
      }
    }
    const store = new ReconnectingStore();
    const { manager } = await node({ store, heartbeatIntervalMs: 3_600_000 });
    const started = await manager.start(call());
    const renewals = store.renewals;
    store.reconnected();
    // The heartbeat is an hour away: a renewal now is the reconnect's.
    await waitUntil(() => store.renewals > renewals, 'a lease renewal after the reconnect');
    expect(store.renewals).toBe(renewals + 1);
    expect(await store.get(started.sessionId)).toMatchObject({ state: 'active', nodeId: manager.nodeId });
  });

  it('drains: refuses new sessions, closes every agent with its transcript flushed', async () => {
    const { manager, agents } = await node({ limits: { maxSessionsPerCall: 3 }, agents: { closeDelayMs: 30 } });
    const sessions = await Promise.all([manager.start(call('a')), manager.start(call('b')), manager.start(call('c'))]);
    for (const agent of agents.agents) agent.turn({ responseLatencyMs: 300 });
    const drained = manager.drain(2_000);
    expect(manager.isAccepting).toBe(false);
    await expect(manager.start(call('d'))).rejects.toMatchObject({ code: 'DRAINING' });
    expect(await drained).toEqual({ closed: 3, abandoned: 0 });
    for (const agent of agents.agents) expect(agent.flushed).toEqual(['user 1', 'agent 1']);
    for (const { sessionId } of sessions) expect(await manager.get(sessionId)).toMatchObject({ state: 'ended', endReason: 'drain' });
    expect(await manager.drain(10)).toEqual({ closed: 3, abandoned: 0 }); // idempotent
  });

  it('drains within its timeout even when an agent never finishes closing, and aborts starts', async () => {
    const { manager, agents } = await node({ agents: { closeDelayMs: 60_000 } });
    const stuck = await manager.start(call('stuck'));
    agents.options.hang = true;
    const starting = manager.start(call('starting')).catch((error: unknown) => error);
    await waitUntil(() => agents.signals.length === 2, 'the second start to reach its agent');
    const drained = await manager.drain(100);
    expect(await starting).toMatchObject({ code: 'DRAINING' });
    expect(agents.signals[1]!.aborted).toBe(true);
    expect(drained).toEqual({ closed: 1, abandoned: 1 });
    // The abandoned session's record says so, already stored when the drain returns.
    expect(await manager.get(stuck.sessionId)).toMatchObject({
      state: 'ended',
      endReason: 'abandoned',
      error: expect.stringContaining('still closing when the drain timeout (100 ms) ran out'),
    });
    expect(manager.activeCount).toBe(0);
  });

  it('publishes figures: turns, latencies and the agent counters, live and in Prometheus', async () => {
    const { manager, agents, metric } = await node();
    const started = await manager.start(call());
    const agent = agents.latest!;
    agent.turn({ responseLatencyMs: 400 });
    agent.turn({ responseLatencyMs: 600, interrupted: true });
    agent.figures.audioUnderruns = 2;
    agent.figures.conversationRetries = 3;
    const found = await manager.figures(started.sessionId);
    expect(found).toMatchObject({
      live: true,
      figures: {
        humans: 1,
        turns: 2,
        interruptions: 1,
        audioUnderruns: 2,
        conversationRetries: 3,
        conversationFailures: 0,
        responseLatencyMs: { count: 2, meanMs: 500, p50Ms: 400, p95Ms: 600, maxMs: 600, lastMs: 600 },
      },
    });
    await waitUntil(async () => (await metric('agents_audio_underruns_total')).includes('agents_audio_underruns_total 2'), 'two underruns in the metrics');
    expect(await metric('agents_conversation_sync_retries_total')).toContain('agents_conversation_sync_retries_total 3');
    expect(await metric('agents_turns_total')).toEqual(
      expect.arrayContaining(['agents_turns_total{interrupted="false"} 1', 'agents_turns_total{interrupted="true"} 1']),
    );
    expect(await metric('agents_sessions_active')).toContain('agents_sessions_active 1');
  });
});

describe('SessionManager without its store', () => {
  it('warns once when renewals start failing and once when they work again, not at every heartbeat', async () => {
    const store = new MemorySessionStore();
    let storeDown = false;
    const renew = store.renew.bind(store);
    store.renew = async (...args) => {
      if (storeDown) throw new Error('the store is unreachable');
      return renew(...args);
    };
    const lines: Array<{ level: number; msg: string }> = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const agents = new FakeAgents();
    const manager = new SessionManager({
      factory: agents.factory,
      store,
      limits: { maxSessions: 5, maxSessionsPerCall: 1, idleTimeoutMs: 60_000, maxSessionDurationMs: 3_600_000 },
      timing: { heartbeatIntervalMs: 20, leaseTtlMs: 5_000 },
      logger,
    });
    await manager.open();
    opened.push(manager);
    await manager.start(call('outage'));
    const renewalLines = () => lines.filter((line) => /session leases/.test(line.msg));

    storeDown = true;
    let failures = 0;
    const countFailures = store.renew;
    store.renew = async (...args) => {
      failures++;
      return countFailures(...args);
    };
    await waitUntil(() => failures >= 5, 'five failed renewals');
    expect(renewalLines()).toEqual([expect.objectContaining({ level: 40, msg: expect.stringContaining('could not renew session leases') })]);

    storeDown = false;
    await waitUntil(() => renewalLines().length === 2, () => `two renewal log lines (got ${renewalLines().length})`);
    expect(renewalLines()[1]).toMatchObject({ level: 30, msg: 'session leases renewed again' });
  });
});
