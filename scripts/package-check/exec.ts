/** Runs a command to its end, or kills it at a deadline; never throws for a failing command. */
import { spawn } from 'node:child_process';

export interface ExecOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** The process is killed (SIGKILL) when it has not exited by then. */
  timeoutMs: number;
}

export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export function exec(command: string, args: readonly string[], options: ExecOptions): Promise<ExecResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`could not start ${command}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut, stdout, stderr, durationMs: Math.round(performance.now() - started) });
    });
  });
}

/** How a run ended, for a message: "exit code 1", "killed after 30 s without exiting", … */
export function describeEnd(result: ExecResult, timeoutMs: number): string {
  if (result.timedOut) return `still running after ${timeoutMs / 1000} s (killed): something keeps the process alive`;
  if (result.signal) return `killed by ${result.signal}`;
  return `exit code ${result.code}`;
}
