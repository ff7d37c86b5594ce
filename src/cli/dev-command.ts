/**
 * `stream-agents dev <file>`: `run` in a process of its own, started again when the agent file
 * (or a file it imports from its folder) changes. Every agent process joins the same call (the
 * one given, or one chosen here), and the old one leaves first: it is stopped as Ctrl-C stops
 * `run` (the model stops, the transcript is flushed, it leaves the call), then the new one
 * starts. A fresh process loads every changed module and native add-on anew, which reloading
 * modules inside one process could not.
 *
 * An agent process that fails (a syntax error, a join that failed) waits for the next change;
 * the first one failing for its configuration (exit 2 or 64) ends `dev` with its code. The
 * agent processes run in their own process group, so Ctrl-C reaches them once, through here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { relative } from 'node:path';
import { createLogger } from '../core/logger.js';
import { configureFromEnvironment } from './configure.js';
import { isDevMessage } from './dev-messages.js';
import { ExitCode } from './exit-codes.js';
import type { Invocation } from './usage.js';
import { FileWatcher } from './watch-files.js';

export async function devCommand(invocation: Invocation): Promise<ExitCode> {
  configureFromEnvironment(invocation); // its own lines, and an invalid variable is refused before any agent starts
  const log = createLogger('dev');
  const file = invocation.file!;
  const callId = invocation.callId ?? randomUUID();

  return new Promise<ExitCode>((finish) => {
    let child: ChildProcess | undefined;
    let starts = 0;
    let joinedOnce = false;
    let restartWanted = false;
    let stopping = false;

    const watcher = new FileWatcher((changed) => {
      log.info({ file: relative(process.cwd(), changed) }, 'changed: starting a new agent in the call');
      if (child) {
        restartWanted = true;
        child.kill('SIGINT'); // `run` closes cleanly on it; the exit handler starts the next one
      } else {
        start();
      }
    });
    watcher.watch([file]);

    const end = (code: ExitCode) => {
      watcher.close();
      finish(code);
    };

    const start = () => {
      const first = starts++ === 0;
      const args = [
        ...process.execArgv,
        process.argv[1]!,
        'run',
        file,
        '--call-id',
        callId,
        '--call-type',
        invocation.callType,
        // The demo link once: a person already in the call stays there while agents come and go.
        ...(invocation.demo && first ? [] : ['--no-demo']),
        ...(invocation.logLevel ? ['--log-level', invocation.logLevel] : []),
        ...(invocation.pipeline ? ['--pipeline'] : []),
      ];
      const agent = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], detached: true });
      child = agent;
      agent.on('message', (message) => {
        if (!isDevMessage(message)) return;
        if (message.type === 'watch') watcher.watch(message.files);
        if (message.type === 'joined') joinedOnce = true;
      });
      agent.on('exit', (code, signal) => {
        child = undefined;
        if (stopping) return end(code === 0 ? ExitCode.ok : ExitCode.failed);
        if (restartWanted) {
          restartWanted = false;
          return start();
        }
        if (code === ExitCode.ok) {
          log.info('the call ended');
          return end(ExitCode.ok);
        }
        if (!joinedOnce && (code === ExitCode.config || code === ExitCode.usage)) return end(code);
        log.warn({ code, signal }, 'the agent stopped; it starts again when a watched file changes');
      });
    };

    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        log.warn({ signal }, 'second signal: exiting without waiting for the agent to close');
        child?.kill('SIGINT'); // its second signal: it exits at once
        process.exit(ExitCode.failed);
      }
      stopping = true;
      if (!child) return end(ExitCode.ok);
      child.kill('SIGINT');
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
    start();
  });
}
