/**
 * `npm run agent`: a Gemini Live voice agent in a fresh Stream Video call, with a link to the
 * Stream Video demo app so a person can talk to it. The transcript goes to the call's chat.
 *
 *   npm run agent                         # a new call, the demo app opened in the browser
 *   npm run agent -- --call-id my-call    # join (or create) a given call
 *   npm run agent -- --call-type default --no-demo
 *
 * Ctrl-C closes cleanly: the model stops, the transcript is flushed, the agent leaves the
 * call, and the process exits 0. Missing keys: a message naming them, exit code 2.
 */
import { parseArgs } from 'node:util';
import { loadConfig, missingCredentials, type Config } from '../src/config.js';
import { ConfigError, toError } from '../src/core/errors.js';
import { createLogger } from '../src/core/logger.js';
import { startTelemetry } from '../src/telemetry/start-telemetry.js';
import { createVoiceAgent } from './voice-agent.js';

const log = createLogger('demo');

function parseFlags(): { callId?: string; callType: string; demo: boolean } {
  const { values } = parseArgs({
    options: {
      'call-id': { type: 'string' },
      'call-type': { type: 'string', default: 'default' },
      'no-demo': { type: 'boolean', default: false },
    },
    strict: true,
  });
  return { callId: values['call-id'], callType: values['call-type'] ?? 'default', demo: !values['no-demo'] };
}

/** Every missing credential at once, so a newcomer fixes them in one go. */
function checkCredentials(config: Config): void {
  const missing = [
    config.stream.apiKey ? undefined : 'STREAM_API_KEY',
    config.stream.apiSecret ? undefined : 'STREAM_API_SECRET',
    config.google.apiKey ? undefined : 'GOOGLE_API_KEY',
  ].filter((name): name is string => name !== undefined);
  if (missing.length > 0) throw missingCredentials(missing);
}

async function main(): Promise<number> {
  let flags: ReturnType<typeof parseFlags>;
  let config: Config;
  try {
    flags = parseFlags();
    config = loadConfig();
    checkCredentials(config);
  } catch (error) {
    console.error(`\n${toError(error).message}\n`);
    return error instanceof ConfigError ? 2 : 64;
  }

  // Traces of the call, when OTEL_EXPORTER_OTLP_ENDPOINT asks for them (flushed before exiting).
  const telemetry = await startTelemetry(createLogger('telemetry'));
  const { edge, agent } = createVoiceAgent(config);
  agent.on('transcript', ({ role, userId, text, final }) => {
    if (final && text) log.info({ role, userId }, text);
  });
  agent.on('error', ({ error }) => log.error({ err: error.message }, 'agent error'));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'closing: flushing the transcript and leaving the call');
    void agent.close(`received ${signal}`);
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));

  try {
    const call = await agent.createCall(flags.callType, flags.callId);
    await agent.join(call);
    log.info({ call: call.cid }, 'the agent is in the call');
    if (flags.demo && !stopping) await edge.openDemo(call); // prints the link, opens a browser where it can
    await agent.finish();
    return 0;
  } catch (error) {
    log.error({ err: toError(error).message }, 'the agent stopped with an error');
    await agent.close('error');
    return 1;
  } finally {
    await edge.close().catch(() => {});
    await telemetry?.shutdown();
  }
}

// wrtc can crash at natural exit, so the process always ends explicitly.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
