/**
 * A real Redis for tests. `REDIS_URL` wins when set (a shared server: every test isolates its
 * keys with a unique prefix); otherwise, when `redis-server` is on PATH, each caller gets its
 * own throw-away server on a free loopback port with persistence off. With neither, the Redis
 * suites skip, and say why, loudly: a skipped store suite must never pass unnoticed.
 *
 *   describeRedis('RedisStore', () => {
 *     let redis: TestRedis;
 *     beforeAll(async () => { redis = await startTestRedis(); });
 *     afterAll(() => redis.close());
 *   });
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { describe } from 'vitest';

export interface TestRedis {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  /** A fresh key prefix, so tests sharing a server never see each other's keys. */
  prefix(): string;
  /** Stops the server this helper started (a no-op for `REDIS_URL`); idempotent. */
  close(): Promise<void>;
}

/** Why Redis tests cannot run here, or undefined when they can. */
export const redisUnavailableReason: string | undefined = findUnavailableReason();

/** `describe` that skips, with a visible notice, when no Redis can be had. */
export function describeRedis(name: string, body: () => void): void {
  if (redisUnavailableReason) {
    console.warn(`[redis] SKIPPING "${name}": ${redisUnavailableReason}`);
  }
  describe.skipIf(redisUnavailableReason !== undefined)(name, body);
}

export async function startTestRedis(): Promise<TestRedis> {
  const prefix = () => `test:${randomUUID().slice(0, 8)}:`;
  const external = process.env.REDIS_URL;
  if (external) return { url: external, prefix, close: async () => {} };
  if (redisUnavailableReason) throw new Error(redisUnavailableReason);

  // A port picked free can be taken before redis binds it; a few attempts make that harmless.
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freeLoopbackPort();
    try {
      const child = await spawnRedis(port);
      return { url: `redis://127.0.0.1:${port}`, prefix, close: () => stop(child) };
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(`could not start redis-server: ${String(lastError)}`);
}

function findUnavailableReason(): string | undefined {
  if (process.env.REDIS_URL) return undefined;
  const probe = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) {
    return 'no REDIS_URL and no redis-server on PATH (install it: apt-get install -y redis-server; .ci/run does)';
  }
  return undefined;
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function spawnRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'notice'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`redis-server did not start within 10 s: ${output}`)), 10_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        // Keep draining the pipes so a chatty server never blocks on a full buffer.
        child.stdout?.resume();
        child.stderr?.resume();
        child.off('exit', onExit);
        resolve(child);
      }
    };
    const onExit = (code: number | null) => fail(new Error(`redis-server exited (${code}): ${output.trim()}`));
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', onExit);
    child.once('error', fail);
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
