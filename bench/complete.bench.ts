/**
 * Benchmark of the stateless completion endpoint: `npm run bench:complete`.
 *
 * Topology (2-core machine): this process runs the Gemini fake and the load generator; the
 * server under test runs in a child process, and so do two baselines, so all see the same
 * contention: a minimal node:http pass-through proxy to the fake (the bytes alone), and a bare
 * node:http handler that calls `@google/genai`'s generateContentStream against the fake and
 * writes each chunk's text as an SSE `token` event (what any server on the SDK must do at the
 * least). The fake answers at once with 50 tokens (50 SSE chunks). Our server is asked for SSE.
 *
 * Figures (the last line printed is one JSON object):
 * - ttfb_overhead_p50_ms: our first `token` event at the client minus the moment the fake
 *   starts sending its first chunk (sequential requests, same clock). Goal < 2.
 * - rps / sdk_rps / ratio_vs_sdk: completed streams per second at 64 concurrent clients, through
 *   the server and through the bare SDK handler, in steady state (see measureRps). Goal
 *   ratio_vs_sdk ≥ 0.8.
 * - baseline_rps / ratio: the same through the byte proxy, as context: the SDK's own parsing
 *   is the floor of any server that uses it.
 * - cpu_ms_per_request / sdk_cpu_ms_per_request / baseline_cpu_ms_per_request: CPU time each
 *   process spent per request in that phase; steadier than rps when the machine is shared.
 * - held_streams: streams held open concurrently for 10 s (the fake holds them), with the
 *   server's heap growth (after GC) in held_heap_growth_mb. Goal ≥ 1000 with < 200 MB.
 *
 * Knobs: BENCH_NODE_FLAGS (extra Node flags for both children, e.g. --max-semi-space-size=32),
 * BENCH_CPU_PROFILE_DIR (write a CPU profile of each child there).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { FakeGemini } from '../testing/gemini/index.js';
import { percentile, round } from './support/stats.js';

const TOKENS = 50;
const CONCURRENCY = 64;
const TTFB_SAMPLES = 200;
const RPS_WARMUP_MS = 15_000;
const RPS_PASSES = 3;
const RPS_DURATION_MS = 4_000;
const HELD_STREAMS = 1_000;
const HOLD_MS = 10_000;
const API_KEY = 'bench-key';
const MODEL = 'gemini-2.5-flash';

type ChildMessage = { type: 'ready'; port: number } | { type: 'stats'; heapUsed: number; cpuMs: number };

// ---------------------------------------------------------------- child roles

async function runServer(geminiUrl: string): Promise<void> {
  const [{ pino }, { loadConfig }, { GeminiLLM }, { createServer }] = await Promise.all([
    import('pino'),
    import('../src/config.js'),
    import('../src/llm/gemini/gemini-llm.js'),
    import('../src/completion/create-server.js'),
  ]);
  const config = loadConfig({
    WORKER_API_KEYS: API_KEY,
    RATE_LIMIT_PER_MINUTE: '100000000',
    RATE_LIMIT_BURST: '100000000',
    COMPLETE_PING_INTERVAL_MS: '10000',
  });
  const llm = new GeminiLLM({ apiKey: 'fake', baseUrl: geminiUrl, model: MODEL });
  const app = await createServer({ config, llm, logger: pino({ level: 'warn' }) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  serveChild((app.server.address() as AddressInfo).port);
}

async function runProxy(geminiUrl: string): Promise<void> {
  const upstream = new URL(`/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`, geminiUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const server = http.createServer((req, res) => {
    const forward = http.request(
      upstream,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'x-goog-api-key': 'fake' } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, { 'content-type': answer.headers['content-type'] ?? 'text/event-stream' });
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    res.on('close', () => forward.destroy());
    req.pipe(forward);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  serveChild((server.address() as AddressInfo).port);
}

/** The SDK baseline: the least a server on `@google/genai` does per streamed reply. */
async function runSdkHandler(geminiUrl: string): Promise<void> {
  const { GoogleGenAI } = await import('@google/genai');
  const ai = new GoogleGenAI({ apiKey: 'fake', vertexai: false, httpOptions: { baseUrl: geminiUrl } });
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const { text } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text: string };
    const controller = new AbortController();
    res.on('close', () => controller.abort());
    try {
      const stream = await ai.models.generateContentStream({
        model: MODEL,
        contents: [{ role: 'user', parts: [{ text }] }],
        config: { abortSignal: controller.signal },
      });
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for await (const chunk of stream) res.write(`event: token\ndata: ${JSON.stringify({ token: chunk.text ?? '' })}\n\n`);
      res.end();
    } catch {
      res.destroy();
    }
  });
  server.keepAliveTimeout = 72_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  serveChild((server.address() as AddressInfo).port);
}

function serveChild(port: number): void {
  process.on('message', (message: { type: string }) => {
    if (message.type !== 'stats') return;
    const { user, system } = process.cpuUsage();
    (globalThis as { gc?: () => void }).gc?.();
    process.send!({ type: 'stats', heapUsed: process.memoryUsage().heapUsed, cpuMs: (user + system) / 1000 } satisfies ChildMessage);
  });
  process.on('disconnect', () => process.exit(0));
  process.send!({ type: 'ready', port } satisfies ChildMessage);
}

// ---------------------------------------------------------------- parent helpers

async function startChild(role: '--server' | '--proxy' | '--sdk', geminiUrl: string): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(fileURLToPath(import.meta.url), [role, geminiUrl], {
    // BENCH_CPU_PROFILE_DIR=<dir> writes a CPU profile of each child, to see where time goes.
    execArgv: ['--import', 'tsx', '--expose-gc', ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []), ...(process.env.BENCH_CPU_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE_DIR}`] : [])],
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  const [message] = (await once(child, 'message')) as [ChildMessage];
  if (message.type !== 'ready') throw new Error(`unexpected message from ${role}`);
  return { child, url: `http://127.0.0.1:${message.port}` };
}

/** The child's heap after a full GC, and the CPU time it has used so far. */
async function statsOf(child: ChildProcess): Promise<{ heapUsed: number; cpuMs: number }> {
  child.send({ type: 'stats' });
  for (;;) {
    const [message] = (await once(child, 'message')) as [ChildMessage];
    if (message.type === 'stats') return message;
  }
}

interface Target {
  url: string;
  body: string;
  headers: Record<string, string>;
  /** Marks the first token in a response chunk. */
  firstToken: string;
}

/** One request; resolves with the time the first token arrived and whether it completed. */
async function request(target: Target, signal?: AbortSignal): Promise<{ firstTokenAt: number; complete: boolean }> {
  const response = await fetch(target.url, { method: 'POST', headers: target.headers, body: target.body, signal });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let firstTokenAt = 0;
  let tail = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    const text = decoder.decode(value, { stream: true });
    if (!firstTokenAt && (tail + text).includes(target.firstToken)) firstTokenAt = performance.now();
    tail = text.slice(-64);
  }
  return { firstTokenAt, complete: response.status === 200 };
}



async function measureTtfb(fake: FakeGemini, target: Target): Promise<number[]> {
  let fakeFirstChunkAt = 0;
  const pieces = Array.from({ length: TOKENS }, (_, i) => `tok${i} `);
  // The script runs right before the fake writes its first chunk: that instant is the reference.
  fake.script(() => {
    fakeFirstChunkAt = performance.now();
    return { pieces };
  });
  const overheads: number[] = [];
  for (let i = 0; i < TTFB_SAMPLES + 20; i++) {
    const { firstTokenAt } = await request(target);
    if (i >= 20) overheads.push(firstTokenAt - fakeFirstChunkAt);
  }
  return overheads;
}

/**
 * Streams per second at CONCURRENCY clients, and the CPU time the process behind each target
 * spent per request (less sensitive than rps to other load on a shared machine). Measured in
 * steady state: each target first gets RPS_WARMUP_MS of the same load, since a server's
 * per-request cost falls by a third while the JIT settles on its code paths (more code settles
 * more slowly, so a short run favours the smallest baseline). Then the targets take turns for
 * RPS_PASSES passes, so a slow moment of a shared machine hits them alike, and each figure is
 * the median of its passes.
 */
type RpsFigures = { rps: number; cpuMsPerRequest: number };

async function measureRps(fake: FakeGemini, targets: Array<{ target: Target; child: ChildProcess }>): Promise<Array<{ rps: number; cpuMsPerRequest: number }>> {
  fake.script({ pieces: Array.from({ length: TOKENS }, (_, i) => `tok${i} `) });
  for (const { target } of targets) await load(target, RPS_WARMUP_MS);
  const passes = targets.map(() => ({ rps: [] as number[], cpu: [] as number[] }));
  for (let pass = 0; pass < RPS_PASSES; pass++) {
    for (const [i, { target, child }] of targets.entries()) {
      const cpuBefore = (await statsOf(child)).cpuMs;
      const measured = await load(target, RPS_DURATION_MS);
      const cpuAfter = (await statsOf(child)).cpuMs;
      passes[i]!.rps.push(measured.completed / (measured.durationMs / 1000));
      passes[i]!.cpu.push((cpuAfter - cpuBefore) / measured.requests);
    }
  }
  return passes.map(({ rps, cpu }) => ({ rps: percentile(rps, 0.5), cpuMsPerRequest: percentile(cpu, 0.5) }));
}

/** CONCURRENCY clients sending requests one after another for `durationMs`. */
async function load(target: Target, durationMs: number): Promise<{ requests: number; completed: number; durationMs: number }> {
  const startedAt = performance.now();
  const endsAt = startedAt + durationMs;
  let requests = 0;
  let completed = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < endsAt) {
        const { complete } = await request(target);
        requests += 1;
        if (complete) completed += 1;
      }
    }),
  );
  return { requests, completed, durationMs: performance.now() - startedAt };
}

async function measureHeld(fake: FakeGemini, server: ChildProcess, target: Target): Promise<{ held: number; heapGrowthMb: number; released: boolean }> {
  fake.script({ pieces: ['held '], hold: true });
  const before = (await statsOf(server)).heapUsed;
  const controller = new AbortController();
  let opened = 0;
  let ended = 0;
  const allOpen = new Promise<void>((resolve) => {
    for (let i = 0; i < HELD_STREAMS; i++) {
      void (async () => {
        try {
          const response = await fetch(target.url, { method: 'POST', headers: target.headers, body: target.body, signal: controller.signal });
          const reader = response.body!.getReader();
          let seen = '';
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            seen += new TextDecoder().decode(value);
            if (seen.includes(target.firstToken)) {
              if (++opened === HELD_STREAMS) resolve();
              seen = '';
            }
          }
        } catch {
          // Aborted at the end of the hold.
        } finally {
          ended += 1;
        }
      })();
    }
  });
  await allOpen;
  await new Promise((resolve) => setTimeout(resolve, HOLD_MS));
  const during = (await statsOf(server)).heapUsed;
  const held = opened - Math.min(opened, ended);
  controller.abort();
  let released = true;
  await fake.waitFor(() => fake.openStreams === 0, 20_000).catch(() => (released = false));
  return { held, heapGrowthMb: (during - before) / (1024 * 1024), released };
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const fake = new FakeGemini();
  const geminiUrl = await fake.start();
  const server = await startChild('--server', geminiUrl);
  const proxy = await startChild('--proxy', geminiUrl);
  const sdk = await startChild('--sdk', geminiUrl);
  const ours: Target = {
    url: `${server.url}/api/v1/conversation/complete`,
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ backstory: 'You are a benchmark.', messages: [{ type: 'user', text: 'Hello' }] }),
    firstToken: 'event: token',
  };
  const sdkBaseline: Target = {
    url: sdk.url,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text: 'Hello' }),
    firstToken: 'event: token',
  };
  const baseline: Target = {
    url: proxy.url,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Hello' }] }] }),
    firstToken: 'data:',
  };
  try {
    const ttfb = await measureTtfb(fake, ours);
    const baselineTtfb = await measureTtfb(fake, baseline);
    const [rps, sdkRps, baselineRps] = (await measureRps(fake, [
      { target: ours, child: server.child },
      { target: sdkBaseline, child: sdk.child },
      { target: baseline, child: proxy.child },
    ])) as [RpsFigures, RpsFigures, RpsFigures];
    const held = await measureHeld(fake, server.child, ours);
    const result = {
      bench: 'complete',
      tokens_per_reply: TOKENS,
      ttfb_overhead_p50_ms: round(percentile(ttfb, 0.5), 3),
      ttfb_overhead_p95_ms: round(percentile(ttfb, 0.95), 3),
      baseline_ttfb_overhead_p50_ms: round(percentile(baselineTtfb, 0.5), 3),
      concurrency: CONCURRENCY,
      rps: round(rps.rps, 1),
      sdk_rps: round(sdkRps.rps, 1),
      ratio_vs_sdk: round(rps.rps / sdkRps.rps, 3),
      baseline_rps: round(baselineRps.rps, 1),
      ratio: round(rps.rps / baselineRps.rps, 3),
      cpu_ms_per_request: round(rps.cpuMsPerRequest, 3),
      sdk_cpu_ms_per_request: round(sdkRps.cpuMsPerRequest, 3),
      baseline_cpu_ms_per_request: round(baselineRps.cpuMsPerRequest, 3),
      held_streams: held.held,
      held_ms: HOLD_MS,
      held_heap_growth_mb: round(held.heapGrowthMb, 1),
      held_streams_released: held.released,
    };
    console.log(JSON.stringify(result));
  } finally {
    server.child.disconnect();
    proxy.child.disconnect();
    sdk.child.disconnect();
    await fake.close();
  }
}

const role = process.argv[2];
if (role === '--server') await runServer(process.argv[3]!);
else if (role === '--proxy') await runProxy(process.argv[3]!);
else if (role === '--sdk') await runSdkHandler(process.argv[3]!);
else {
  await main();
  process.exit(0);
}
