/**
 * The installed CLI serving an agent file, as a deployment starts it: `stream-agents serve
 * <file>` must load the file (TypeScript, importing the installed package by name), listen,
 * say it is ready, and drain and exit 0 on SIGTERM. No service is reached: a worker only talks
 * to Stream and Gemini once a session or a completion asks it to.
 */
import { spawn } from 'node:child_process';

export interface ServeCheck {
  ok: boolean;
  /** What went wrong, with the process's output; or how long it took. */
  detail: string;
}

export function checkServe(bin: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<ServeCheck> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(bin, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let ready = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ ok: false, detail: `no "worker ready" and exit within ${options.timeoutMs} ms:\n${output}` });
    }, options.timeoutMs);
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (!ready && output.includes('"msg":"worker ready"')) {
        ready = true;
        child.kill('SIGTERM');
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = Math.round(performance.now() - started);
      if (ready && code === 0) resolve({ ok: true, detail: `${ms} ms` });
      else resolve({ ok: false, detail: `${ready ? 'after SIGTERM' : 'before it was ready'} it ended with ${signal ?? `code ${code}`}:\n${output}` });
    });
  });
}
