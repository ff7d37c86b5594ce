/**
 * The `stream-agents` command in a child process, as a person or an operator runs it from the
 * repository: `node --conditions=stream-gemini-agents-source --import tsx src/cli.ts …`, with
 * only the environment given (nothing from the test runner leaks in).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Node's arguments before the command's own: absolute, so the process may run in another folder. */
export const CLI_NODE_ARGS = [
  '--conditions=stream-gemini-agents-source',
  '--import',
  pathToFileURL(resolve('node_modules/tsx/dist/loader.mjs')).href,
  resolve('src/cli.ts'),
];

export interface CliProcess {
  child: ChildProcess;
  /** Everything the process wrote so far, standard output and error together. */
  output(): string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
}

export interface CliOptions {
  env?: Record<string, string>;
  /** Default: the repository. */
  cwd?: string;
}

export function spawnCli(args: string[], options: CliOptions = {}): CliProcess {
  const child = spawn(process.execPath, [...CLI_NODE_ARGS, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', CI: 'true', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, output: () => output, exited };
}

/**
 * `stream-agents serve [agentFile]` on a free loopback port, logging at info unless `env` says
 * otherwise. Without an agent file the worker serves completions only.
 */
export function spawnServe(env: Record<string, string>, options: { agentFile?: string } = {}): CliProcess {
  const args = ['serve', ...(options.agentFile ? [options.agentFile] : [])];
  return spawnCli(args, { env: { HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env } });
}
