/**
 * `stream-agents run <file>`: the agent the file defines joins a call (a new one, or
 * `--call-id`), a link to the Stream Video demo app is printed (and opened where a browser can
 * be), and the final transcript lines are logged. Ctrl-C (or SIGTERM) closes the agent: the
 * model stops, the transcript is flushed, it leaves the call; then the process exits 0.
 */
import { randomUUID } from 'node:crypto';
import { dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { buildAgent, missingDefaultCredentials, type BuiltAgent } from '../runtime/build-agent.js';
import { startTelemetry } from '../telemetry/start-telemetry.js';
import { configureFromEnvironment, requireCredentials } from './configure.js';
import { tellSupervisor } from './dev-messages.js';
import { ExitCode } from './exit-codes.js';
import { loadAgentFile } from './load-agent-file.js';
import type { Invocation } from './usage.js';

export async function runCommand(invocation: Invocation): Promise<ExitCode> {
  const file = invocation.file!;
  const config = configureFromEnvironment(invocation);
  const log = createLogger('cli');

  let built: BuiltAgent | undefined;
  let stopping: string | undefined;
  const abort = new AbortController();
  const stop = (why: string) => {
    if (stopping) {
      log.warn({ signal: why }, 'second signal: exiting without waiting for the agent to close');
      process.exit(ExitCode.failed);
    }
    stopping = why;
    if (!built) process.exit(ExitCode.ok); // nothing started yet
    log.info({ signal: why }, 'closing: flushing the transcript and leaving the call');
    abort.abort(new Error(`received ${why}`));
    void built.close(`received ${why}`);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // Started by `dev`, whose end ends this agent too.
  process.on('disconnect', () => stop('disconnect'));

  const folder = dirname(file) + sep;
  const watched = new Set([file]);
  const { definition } = await loadAgentFile(file, {
    onImport: (url) => {
      if (!url.startsWith('file:')) return;
      const path = fileURLToPath(url);
      if (path.startsWith(folder) && !path.includes(`${sep}node_modules${sep}`)) watched.add(path);
    },
  });
  tellSupervisor({ type: 'watch', files: [...watched] });
  requireCredentials(missingDefaultCredentials(definition, config));

  // Traces of the call, when OTEL_EXPORTER_OTLP_ENDPOINT asks for them (flushed before exiting).
  const telemetry = await startTelemetry(createLogger('telemetry'));
  const call = { type: invocation.callType, id: invocation.callId ?? randomUUID() };
  try {
    built = await buildAgent(definition, { config, call, signal: abort.signal, logger: log });
  } catch (error) {
    await telemetry?.shutdown();
    throw error;
  }
  const { agent, edge } = built;
  agent.on('transcript', ({ role, userId, text, final }) => {
    if (final && text) log.info({ role, userId }, text);
  });
  agent.on('error', ({ error }) => log.error({ err: error.message }, 'agent error'));

  let code: ExitCode = ExitCode.ok;
  try {
    if (stopping) return ExitCode.ok;
    const joined = await agent.createCall(call.type, call.id);
    await agent.join(joined);
    log.info({ call: joined.cid }, 'the agent is in the call');
    tellSupervisor({ type: 'joined' });
    if (invocation.demo && !stopping) await edge.openDemo(joined); // prints the link, opens a browser where it can
    await agent.finish();
  } catch (error) {
    // Ctrl-C while joining ends the join with an error: that is the stop asked for, not a failure.
    if (!stopping) {
      log.error({ err: toError(error).message }, 'the agent stopped with an error');
      code = ExitCode.failed;
    }
  } finally {
    await built.close(stopping ? `received ${stopping}` : code === ExitCode.ok ? 'the call ended' : 'error');
    await telemetry?.shutdown();
  }
  return code;
}
