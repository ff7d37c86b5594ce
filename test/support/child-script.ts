/**
 * A TypeScript file run in a Node process of its own, as a user runs a script: the package's
 * name resolves to its sources (the repository's export condition), tsx compiles on the fly,
 * and the process gets only the environment given. It ends by itself or is killed at the
 * deadline, and the result says how it ended.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** tsx by its absolute URL, so a script may run in a folder (a project of its own) without it. */
const TSX_LOADER = pathToFileURL(resolve('node_modules/tsx/dist/loader.mjs')).href;

export interface ScriptRun {
  /** The exit code, or null when a signal ended the process. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stdout and stderr, interleaved. */
  output: string;
  /** Whether the deadline passed and the process was killed. */
  timedOut: boolean;
}

export interface ScriptOptions {
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** Kills the process (SIGKILL) when it has not ended by then. */
  deadlineMs: number;
  /** The Node binary; default the one running the tests. */
  node?: string;
  /** Called with each chunk the process writes (to react to its progress). */
  onOutput?(chunk: string, output: string): void;
}

export interface RunningScript {
  pid: number | undefined;
  kill(signal: NodeJS.Signals): void;
  ended: Promise<ScriptRun>;
}

export function startScript(file: string, options: ScriptOptions): RunningScript {
  const child = spawn(
    options.node ?? process.execPath,
    ['--conditions=stream-gemini-agents-source', '--import', TSX_LOADER, file, ...(options.args ?? [])],
    {
      cwd: options.cwd ?? process.cwd(),
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    options.onOutput?.(chunk.toString(), output);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  let timedOut = false;
  const deadline = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.deadlineMs);
  const ended = new Promise<ScriptRun>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(deadline);
      resolve({ code, signal, output, timedOut });
    });
  });
  return { pid: child.pid, kill: (signal) => child.kill(signal), ended };
}

export function runScript(file: string, options: ScriptOptions): Promise<ScriptRun> {
  return startScript(file, options).ended;
}

/** How a run ended, for assertion messages. */
export function describeRun(run: ScriptRun): string {
  const how = run.timedOut ? 'was killed at its deadline' : run.signal ? `died of ${run.signal}` : `exited with ${run.code}`;
  return `the process ${how}; its output:\n${run.output}`;
}
