/**
 * The agent worker as a Fastify plugin on an application's own server: registered beside the
 * completion API, started by the app's ready, drained by the app's close (sessions closed with
 * their transcripts flushed while the server still answers), as an embedding app runs it.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { MemorySessionStore } from '../../src/store/memory-session-store.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { agentWorker, type Worker } from '../../src/worker/index.js';
import { FakeAgents } from './fake-agent.js';

const KEY = 'plugin-key';
let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function appWithWorker(agents: FakeAgents): Promise<{ app: FastifyInstance; worker: Worker; baseUrl: string }> {
  const config = loadConfig({ WORKER_API_KEYS: KEY, DRAIN_TIMEOUT_MS: '10000' });
  const server = Fastify();
  let worker: Worker | undefined;
  server.get('/my-own-route', async () => ({ mine: true }));
  await server.register(agentWorker, {
    config,
    factory: agents.factory,
    sessions: new MemorySessionStore(),
    keyValue: new MemoryStore(),
    onWorker: (registered) => (worker = registered),
  });
  const baseUrl = await server.listen({ host: '127.0.0.1', port: 0 });
  app = server;
  return { app: server, worker: worker!, baseUrl };
}

const post = (baseUrl: string, path: string) => fetch(`${baseUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` } });

describe('agentWorker, a Fastify plugin', () => {
  it("adds the sessions API, /ready and /metrics to the app's own routes, and is ready once the app is", async () => {
    const agents = new FakeAgents();
    const { baseUrl } = await appWithWorker(agents);
    expect(await (await fetch(`${baseUrl}/my-own-route`)).json()).toEqual({ mine: true });
    expect((await fetch(`${baseUrl}/ready`)).status).toBe(200);
    expect((await fetch(`${baseUrl}/metrics`)).status).toBe(200);
    const created = await post(baseUrl, '/calls/default/plugin-call/sessions');
    expect(created.status).toBe(201);
    expect(agents.agents).toHaveLength(1);
    expect((await post(baseUrl, '/calls/default/plugin-call/sessions')).status).not.toBe(201);
  });

  it("app.close() drains first: every session closes with its transcript flushed, then the worker stops", async () => {
    const agents = new FakeAgents({ closeDelayMs: 200 });
    const { app: server, worker, baseUrl } = await appWithWorker(agents);
    expect((await post(baseUrl, '/calls/default/drain-a/sessions')).status).toBe(201);
    expect((await post(baseUrl, '/calls/default/drain-b/sessions')).status).toBe(201);
    agents.agents[0]!.transcript.push('hello from a');

    await server.close();
    app = undefined;
    expect(agents.agents.map((agent) => agent.closeCalls)).toEqual([1, 1]);
    expect(agents.agents[0]!.flushed).toEqual(['hello from a']);
    expect(worker.manager.activeCount).toBe(0);
    expect(worker.manager.isDraining).toBe(true);
  });
});
