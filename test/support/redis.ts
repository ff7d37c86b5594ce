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
 *
 * Tests of a Redis outage ask for `{ restartable: true }`: always a server of their own (even
 * with REDIS_URL set), which `stop()` stops and `start()` starts again on the same port, empty.
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
  /** Stops the server (SIGTERM), keeping its port for `start()`. Only with `{ restartable: true }`. */
  stop(): Promise<void>;
  /** Starts the stopped server again on the same port, empty. Only with `{ restartable: true }`. */
  start(): Promise<void>;
  /** Freezes the server (SIGSTOP): connections stay open, nothing is answered. Only with `{ restartable: true }`. */
  pause(): void;
  /** Lets a paused server go on (SIGCONT). */
  resume(): void;
}

export interface TestRedisOptions {
  /** A server of this test's own that it can stop and start again (needs redis-server on PATH). */
  restartable?: boolean;
}

/** Why Redis tests cannot run here, or undefined when they can. */
export const redisUnavailableReason: string | undefined = findUnavailableReason();

/** Why tests that stop and restart Redis cannot run here (no redis-server binary), or undefined. */
export const restartableRedisUnavailableReason: string | undefined = findUnavailableReason({ local: true });

/** `describe` that skips, with a visible notice, when no Redis (or no restartable one) can be had. */
export function describeRedis(name: string, body: () => void, options: TestRedisOptions = {}): void {
  const reason = options.restartable ? restartableRedisUnavailableReason : redisUnavailableReason;
  if (reason) {
    console.warn(`[redis] SKIPPING "${name}": ${reason}`);
  }
  describe.skipIf(reason !== undefined)(name, body);
}

export async function startTestRedis(options: TestRedisOptions = {}): Promise<TestRedis> {
  const prefix = () => `test:${randomUUID().slice(0, 8)}:`;
  const external = process.env.REDIS_URL;
  const notOurs = (): never => {
    throw new Error('this Redis cannot be stopped, restarted or paused: ask startTestRedis for { restartable: true }');
  };
  const fixed = { stop: async () => notOurs(), start: async () => notOurs(), pause: notOurs, resume: notOurs };
  if (external && !options.restartable) return { url: external, prefix, close: async () => {}, ...fixed };
  const reason = options.restartable ? restartableRedisUnavailableReason : redisUnavailableReason;
  if (reason) throw new Error(reason);

  // A port picked free can be taken before redis binds it; a few attempts make that harmless.
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freeLoopbackPort();
    try {
      let child = await spawnRedis(port);
      const url = `redis://127.0.0.1:${port}`;
      if (!options.restartable) return { url, prefix, close: () => stop(child), ...fixed };
      return {
        url,
        prefix,
        close: () => stop(child),
        stop: () => stop(child),
        async start() {
          if (child.exitCode === null && child.signalCode === null) throw new Error('redis-server is still running; stop() it first');
          child = await spawnRedis(port);
        },
        pause: () => void child.kill('SIGSTOP'),
        resume: () => void child.kill('SIGCONT'),
      };
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(`could not start redis-server: ${String(lastError)}`);
}

function findUnavailableReason(options: { local?: boolean } = {}): string | undefined {
  if (process.env.REDIS_URL && !options.local) return undefined;
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
    // A paused server would never see the SIGTERM.
    child.kill('SIGCONT');
  });
}
