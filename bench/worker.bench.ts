/**
 * Benchmark of the worker's sessions: `npm run bench:worker`.
 *
 * Topology (2-core machine): this process runs the fakes (Stream REST + coordinator + SFU with
 * a WebRTC peer per session, Gemini Live) and the load generator; the worker under test is a
 * real `src/cli.ts serve agents/voice-agent.ts` child process running the real Agent. Each
 * call has one human in it, as in production.
 *
 * Figures (the last line printed is one JSON object):
 * - sessions_started_per_s: sessions started at BENCH_CONCURRENCY (default 4) concurrent
 *   POSTs, divided by the wall time of the batch (BENCH_SESSIONS, default 20).
 * - start_p50_ms / start_p99_ms: POST to 201 in that batch; the 201 comes once the agent has
 *   joined the call, its model session is open and its conversation is ready.
 * - rss_mb_per_session: the worker's resident memory with the batch running, minus before it,
 *   per session (from its own /metrics).
 * - baseline_direct_start_p50_ms: the same agent factory called directly in this process (no
 *   HTTP, no registry), one at a time; sequential_start_p50_ms: the worker, one POST at a
 *   time; start_overhead_ratio: the second over the first (the worker's cost, ≈ 1 is ideal).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { FakeGeminiLive } from '../testing/gemini-live/index.js';
import { FakeStreamApi } from '../testing/stream-api/index.js';
import { FakeStreamVideo } from '../testing/stream-video/index.js';
import { percentile, round } from './support/stats.js';
import { loadConfig } from '../src/config.js';
import { agentFactoryFromDefinition } from '../src/worker/definition-agent-factory.js';
import voiceAgent from '../agents/voice-agent.js';
import { fakeServicesEnv } from '../testing/environment.js';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 20);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const SEQUENTIAL = 5;
const STREAM_KEY = 'bench-stream-key';
const STREAM_SECRET = 'bench-stream-secret';
const WORKER_KEY = 'bench-worker-key';

const api = new FakeStreamApi({ apiKey: STREAM_KEY, apiSecret: STREAM_SECRET });
const video = await FakeStreamVideo.start({ apiKey: STREAM_KEY, apiSecret: STREAM_SECRET, api });
const live = await FakeGeminiLive.start();
const env: Record<string, string> = {
  ...fakeServicesEnv({ video, google: live }),
  WORKER_API_KEYS: WORKER_KEY,
  RATE_LIMIT_BURST: '100000',
  RATE_LIMIT_PER_MINUTE: '1000000',
  MAX_SESSIONS: String(SESSIONS + 10),
  AGENT_IDLE_TIMEOUT_MS: '600000',
  LOG_LEVEL: 'warn',
};

/** A new call with one human in it. */
function newCall(): string {
  const callId = `bench-${randomUUID().slice(0, 8)}`;
  video.call(callId).addParticipant({ userId: `human-${callId}` });
  return callId;
}

function round1(value: number): number {
  return round(value, 1);
}

// ---------------------------------------------------------------- baseline: the factory alone

async function directStarts(): Promise<number[]> {
  Object.assign(process.env, env);
  const factory = agentFactoryFromDefinition(voiceAgent, { config: loadConfig() });
  const latencies: number[] = [];
  for (let i = 0; i < SEQUENTIAL + 1; i++) {
    const startedAt = performance.now();
    const agent = await factory({ type: 'default', id: newCall() }, { sessionId: randomUUID(), signal: new AbortController().signal });
    // The first start loads modules and warms connections: not counted.
    if (i > 0) latencies.push(performance.now() - startedAt);
    await agent.close();
  }
  return latencies;
}

// ---------------------------------------------------------------- the worker process

async function startWorker() {
  // LOG_LEVEL=warn hides the 'worker ready' line: wait for /ready instead.
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = spawn(process.execPath, ['--conditions=stream-gemini-agents-source', '--import', 'tsx', 'src/cli.ts', 'serve', 'agents/voice-agent.ts'], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the worker exited (${child.exitCode})`);
    if (Date.now() > deadline) throw new Error('the worker did not become ready within 60 s');
    const ready = await fetch(`${baseUrl}/ready`).then((response) => response.ok, () => false);
    if (ready) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const request = (method: string, path: string) => fetch(`${baseUrl}${path}`, { method, headers: { authorization: `Bearer ${WORKER_KEY}` } });
  const start = async (): Promise<{ path: string; ms: number }> => {
    const callId = newCall();
    const startedAt = performance.now();
    const response = await request('POST', `/calls/default/${callId}/sessions`);
    const ms = performance.now() - startedAt;
    if (response.status !== 201) throw new Error(`POST answered ${response.status}: ${await response.text()}`);
    const { sessionId } = (await response.json()) as { sessionId: string };
    return { path: `/calls/default/${callId}/sessions/${sessionId}`, ms };
  };
  const rssBytes = async () => {
    const text = await (await fetch(`${baseUrl}/metrics`)).text();
    return Number(/^process_resident_memory_bytes (\d+)/m.exec(text)?.[1] ?? NaN);
  };
  const closeAll = async (paths: string[]) => {
    await Promise.all(paths.map((path) => request('DELETE', path)));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const ready = (await (await fetch(`${baseUrl}/ready`)).json()) as { sessions: number };
      if (ready.sessions === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const stop = async () => {
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    return code as number | null;
  };
  return { start, rssBytes, closeAll, stop };
}

const direct = await directStarts();
const worker = await startWorker();

// Warm-up, then one session at a time (the same shape as the baseline).
await worker.closeAll([(await worker.start()).path]);
const sequential: number[] = [];
for (let i = 0; i < SEQUENTIAL; i++) {
  const session = await worker.start();
  sequential.push(session.ms);
  await worker.closeAll([session.path]);
}

// The batch: SESSIONS sessions at CONCURRENCY, all kept running for the memory figure.
const rssBefore = await worker.rssBytes();
const batch: Array<{ path: string; ms: number }> = [];
const batchStartedAt = performance.now();
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (batch.length < SESSIONS) {
      const slot = batch.length;
      batch.push({ path: '', ms: 0 });
      batch[slot] = await worker.start();
    }
  }),
);
const batchSeconds = (performance.now() - batchStartedAt) / 1000;
await new Promise((resolve) => setTimeout(resolve, 2_000)); // steady state: media flowing
const rssDuring = await worker.rssBytes();
await worker.closeAll(batch.map((session) => session.path));
const exitCode = await worker.stop();
await live.close();
await video.close();

const latencies = batch.map((session) => session.ms);
const directP50 = percentile(direct, 0.5);
const sequentialP50 = percentile(sequential, 0.5);
console.log(
  JSON.stringify({
    sessions: SESSIONS,
    concurrency: CONCURRENCY,
    sessions_started_per_s: round1(SESSIONS / batchSeconds),
    start_p50_ms: round1(percentile(latencies, 0.5)),
    start_p99_ms: round1(percentile(latencies, 0.99)),
    rss_mb_per_session: round1((rssDuring - rssBefore) / SESSIONS / 1024 / 1024),
    sequential_start_p50_ms: round1(sequentialP50),
    baseline_direct_start_p50_ms: round1(directP50),
    start_overhead_ratio: round1(sequentialP50 / directP50),
    worker_exit_code: exitCode,
  }),
);
// WebRTC can crash a process that exits by itself.
process.exit(0);
