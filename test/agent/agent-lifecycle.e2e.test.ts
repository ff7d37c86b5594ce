/**
 * One lifecycle: `join(call, { signal })` can be given up, `close()` ends everything the agent
 * started (a join in progress among them) and then the edge, which the agent owns whether it
 * was created for it or given to it. Against the Stream fakes; the model is a RealtimeModel
 * whose sessions take as long as the test wants to start, so a join can be caught midway.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Agent, AgentJoinCancelledError } from '../../src/agent/index.js';
import type { StreamEdge } from '../../src/edge/stream/index.js';
import type { RealtimeConnectOptions, RealtimeModel, RealtimeSession } from '../../src/llm/realtime.js';
import { startStreamFakes, type StreamFakes } from '../edge/helpers.js';
import { waitUntil } from '../support/wait.js';
import { startAgentHarness, type AgentHarness } from './agent-harness.js';

const AGENT_ID = 'lifecycle-agent';

/** A model whose sessions never finish starting: connect() settles only when its signal aborts. */
class NeverReadyModel implements RealtimeModel {
  readonly provider = 'test';
  readonly model = 'never-ready';
  connects = 0;
  aborted = 0;
  connect(options: RealtimeConnectOptions = {}): Promise<RealtimeSession> {
    this.connects++;
    return new Promise((_, reject) => {
      options.signal?.addEventListener('abort', () => {
        this.aborted++;
        reject(options.signal!.reason);
      });
    });
  }
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function agentWithNeverReadyModel(): Promise<{ stream: StreamFakes; edge: StreamEdge; model: NeverReadyModel; agent: Agent }> {
  const stream = await startStreamFakes();
  cleanups.push(() => stream.close());
  const edge = stream.edge();
  const model = new NeverReadyModel();
  const agent = new Agent({ edge, llm: model, agentUser: { id: AGENT_ID }, instructions: 'Be brief.' });
  cleanups.push(() => agent.close());
  return { stream, edge, model, agent };
}

/** The edge is closed: it refuses new work, naming why. */
async function expectClosed(edge: StreamEdge): Promise<void> {
  await expect(edge.createCall('default', 'after-close')).rejects.toMatchObject({ code: 'EDGE_CLOSED' });
}

describe('Agent lifecycle', () => {
  it('gives up a join when its signal aborts: the call is left, the model start stopped, nothing kept', async () => {
    const { stream, edge, model, agent } = await agentWithNeverReadyModel();
    const call = await agent.createCall('default', 'signal-call');
    const abort = new AbortController();
    const joining = agent.join(call, { signal: abort.signal });
    // Midway: the agent is in the call, the model still starting.
    await stream.video.call('signal-call').waitForSession(AGENT_ID, 30_000);
    abort.abort(new Error('the user went away'));

    const error = await joining.catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(AgentJoinCancelledError);
    expect(error).toMatchObject({ name: 'AbortError', code: 'AGENT_JOIN_CANCELLED', cause: new Error('the user went away') });
    expect(model.aborted).toBe(1);
    await waitUntil(() => stream.video.call('signal-call').session(AGENT_ID) === undefined, 'the agent to leave the call', 10_000);
    expect(edge.connections).toEqual([]);
    // The agent itself is still usable for what it was not asked to give up: closing it closes the edge.
    await agent.close();
    await expectClosed(edge);
  }, 60_000);

  it('starts nothing for a signal already aborted', async () => {
    const { stream, model, agent } = await agentWithNeverReadyModel();
    const call = await agent.createCall('default', 'aborted-call');
    const requestsBefore = stream.api.requests.length;
    await expect(agent.join(call, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AgentJoinCancelledError);
    expect(model.connects).toBe(0);
    expect(stream.api.requests.length).toBe(requestsBefore);
    expect(stream.video.call('aborted-call').participants()).toEqual([]);
  }, 30_000);

  it('close() during a join cancels it, leaves the call and closes the edge it was given', async () => {
    const { stream, edge, model, agent } = await agentWithNeverReadyModel();
    const call = await agent.createCall('default', 'close-call');
    // Settled while close() is awaited: its outcome is kept to be checked after.
    const joining = agent.join(call).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    await stream.video.call('close-call').waitForSession(AGENT_ID, 30_000);
    const ended = agent.finish();

    await agent.close('shutting down');
    const error = await joining;
    expect(error).toBeInstanceOf(AgentJoinCancelledError);
    expect((error as Error).message).toMatch(/the agent was closed/);
    await expect(ended).resolves.toBeUndefined();
    expect(model.aborted).toBe(1);
    expect(stream.video.call('close-call').session(AGENT_ID)).toBeUndefined();
    await expectClosed(edge);
    await expect(agent.join(call)).rejects.toMatchObject({ code: 'AGENT_CLOSED' });
  }, 60_000);

  describe('after a join', () => {
    let harness: AgentHarness;
    afterEach(() => harness?.close());

    it('one close() ends the model session, leaves the call and closes the edge', async () => {
      harness = await startAgentHarness({ agentUser: { id: AGENT_ID } });
      const { agent, live, stream } = harness;
      const call = await agent.createCall('default', 'joined-call');
      await agent.join(call);
      expect(live.openCount).toBe(1);

      await agent.close();
      await waitUntil(() => live.openCount === 0, 'the model socket to close', 10_000);
      expect(stream.video.call('joined-call').session(AGENT_ID)).toBeUndefined();
      await expect(agent.createCall('default', 'after-close')).rejects.toMatchObject({ code: 'EDGE_CLOSED' });
    }, 60_000);
  });
});
