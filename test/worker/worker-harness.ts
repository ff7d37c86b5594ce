/**
 * A worker node for HTTP tests, in this process: the real server (createServer) with the
 * worker attached, listening on 127.0.0.1, in-test agents (FakeAgents) and a stub LLM for the
 * completion route. Several nodes can share one registry (memory or Redis stores).
 */
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { loadConfig, type Config } from '../../src/config.js';
import type { LLM, LLMEvent } from '../../src/llm/llm.js';
import { createServer } from '../../src/completion/create-server.js';
import type { AuthorizeCall } from '../../src/worker/session-routes.js';
import { Worker } from '../../src/worker/worker.js';
import { MemorySessionStore } from '../../src/store/memory-session-store.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { SessionStore } from '../../src/store/session-store.js';
import type { KeyValueStore } from '../../src/store/store.js';
import { FakeAgents, type FakeAgentsOptions } from './fake-agent.js';

export const API_KEY = 'worker-test-key';

export interface WorkerNode {
  baseUrl: string;
  app: FastifyInstance;
  worker: Worker;
  agents: FakeAgents;
  config: Config;
  /** fetch with the API key (unless `key` is null or another key). */
  request(method: string, path: string, options?: { key?: string | null; body?: string; headers?: Record<string, string> }): Promise<Response>;
  close(): Promise<void>;
}

export interface WorkerNodeOptions {
  env?: Record<string, string>;
  sessions?: SessionStore;
  keyValue?: KeyValueStore;
  agents?: FakeAgentsOptions;
  authorizeCall?: AuthorizeCall;
  nodeId?: string;
  heartbeatIntervalMs?: number;
}

/** A model that answers "ok" at once, for the completion route. */
const stubLlm: LLM = {
  provider: 'test',
  model: 'gemini-2.5-flash',
  async *stream(): AsyncIterable<LLMEvent> {
    yield { type: 'text', index: 0, text: 'ok' };
    yield { type: 'done', text: 'ok', finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 }, pendingToolCalls: [] };
  },
  async complete() {
    return { type: 'done', text: 'ok', finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 }, pendingToolCalls: [] };
  },
};

export async function startWorkerNode(options: WorkerNodeOptions = {}): Promise<WorkerNode> {
  const config = loadConfig({
    WORKER_API_KEYS: API_KEY,
    RATE_LIMIT_PER_MINUTE: '60000',
    RATE_LIMIT_BURST: '10000',
    ...options.env,
  });
  const ownsStores = options.sessions === undefined;
  const sessions = options.sessions ?? new MemorySessionStore();
  const keyValue = options.keyValue ?? new MemoryStore();
  const logger = pino({ level: 'silent' });
  const app = await createServer({ config, llm: stubLlm, store: keyValue, logger });
  const agents = new FakeAgents(options.agents);
  const worker = await Worker.attach(app, {
    config,
    factory: agents.factory,
    sessions,
    keyValue,
    authorizeCall: options.authorizeCall,
    nodeId: options.nodeId,
    logger,
    timing: { heartbeatIntervalMs: options.heartbeatIntervalMs ?? 100, leaseTtlMs: 5_000 },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  await worker.start();
  const address = app.server.address();
  const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  let closing: Promise<void> | undefined;
  return {
    baseUrl,
    app,
    worker,
    agents,
    config,
    request(method, path, requestOptions = {}) {
      const key = requestOptions.key === undefined ? API_KEY : requestOptions.key;
      const headers: Record<string, string> = { ...requestOptions.headers };
      if (key !== null) headers.authorization = `Bearer ${key}`;
      return fetch(`${baseUrl}${path}`, { method, headers, body: requestOptions.body });
    },
    close: () =>
      (closing ??= (async () => {
        await worker.drain(2_000);
        await app.close();
        await worker.close();
        if (ownsStores) await sessions.close();
        if (options.keyValue === undefined) await keyValue.close();
      })()),
  };
}
