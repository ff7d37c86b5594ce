/**
 * A worker node as an operator runs it: `stream-agents serve [agent file]` in its own process
 * (src/cli.ts through tsx), configured only by environment variables, stopped by signals.
 */
import type { ChildProcess } from 'node:child_process';
import { spawnServe } from '../support/cli-process.js';

/** The repository's example agent, which the worker tests send into calls. */
export const AGENT_FILE = 'agents/voice-agent.ts';

export interface WorkerProcess {
  child: ChildProcess;
  baseUrl: string;
  /** Everything the process wrote (JSON log lines). */
  output(): string;
  request(method: string, path: string, options?: { key?: string | null; body?: string; headers?: Record<string, string> }): Promise<Response>;
  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `agentFile`: the agent of every session (the example one for tests that start sessions); none: completions only. */
export async function spawnWorker(env: Record<string, string>, apiKey: string, options: { agentFile?: string } = {}): Promise<WorkerProcess> {
  const { child, output: outputOf, exited } = spawnServe(env, options);
  const deadline = Date.now() + 60_000;
  let baseUrl: string | undefined;
  while (!baseUrl) {
    // The worker logs 'worker ready' once it listens and /ready would say so.
    baseUrl = /"address":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*"msg":"worker ready"/.exec(outputOf())?.[1];
    if (baseUrl) break;
    if (child.exitCode !== null) throw new Error(`the worker exited early (${child.exitCode}):\n${outputOf()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the worker did not start within 60 s:\n${outputOf()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const url = baseUrl;
  return {
    child,
    baseUrl: url,
    output: outputOf,
    request(method, path, options = {}) {
      const key = options.key === undefined ? apiKey : options.key;
      const headers: Record<string, string> = { ...options.headers };
      if (key !== null) headers.authorization = `Bearer ${key}`;
      return fetch(`${url}${path}`, { method, headers, body: options.body });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
