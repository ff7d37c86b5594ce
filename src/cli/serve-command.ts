/**
 * `stream-agents serve [file]`: the worker on HOST:PORT (sessions API, completion API, /health,
 * /ready, /metrics, shared stores when REDIS_URL is set) running the agent the file defines for
 * every session, until SIGTERM or Ctrl-C drains it. Without a file the worker serves
 * completions only. The completion API's bots come from BOTS_FILE, else agents/bots.ts (or .js)
 * when the working directory has one.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from '../config.js';
import { createLogger } from '../core/logger.js';
import type { BotCatalog } from '../completion/bots/catalog.js';
import { loadBotCatalog } from '../completion/bots/load-bot-catalog.js';
import { GeminiLLM } from '../llm/gemini/gemini-llm.js';
import { geminiLLMOptions } from '../presets.js';
import { missingDefaultCredentials } from '../runtime/build-agent.js';
import { startTelemetry } from '../telemetry/start-telemetry.js';
import { agentFactoryFromDefinition } from '../worker/definition-agent-factory.js';
import { holdSignalsWhileStarting, serveWorker, shutdownOnSignals } from '../worker/serve-worker.js';
import { configureFromEnvironment, requireCredentials } from './configure.js';
import type { ExitCode } from './exit-codes.js';
import { loadAgentFile, registerTypeScript } from './load-agent-file.js';
import type { Invocation } from './usage.js';

/** Where bots are looked for when BOTS_FILE is not set: the source, or its compiled build. */
const DEFAULT_BOTS_FILES = ['agents/bots.ts', 'agents/bots.js'];

export async function serveCommand(invocation: Invocation): Promise<ExitCode> {
  const config = configureFromEnvironment(invocation);
  const log = createLogger('cli');
  const definition = invocation.file ? (await loadAgentFile(invocation.file)).definition : undefined;
  // The completion API needs Gemini; the agent needs what its definition leaves to the defaults.
  requireCredentials([...(config.google.apiKey ? [] : ['GOOGLE_API_KEY']), ...(definition ? missingDefaultCredentials(definition, config) : [])]);

  const signals = holdSignalsWhileStarting();
  // First, so that everything after it is traced (when OTEL_EXPORTER_OTLP_ENDPOINT asks for it).
  const telemetry = await startTelemetry(createLogger('telemetry'));
  try {
    const llm = new GeminiLLM(geminiLLMOptions(config));
    registerTypeScript(); // a bots file may be TypeScript
    const bots = await loadBots(config);
    const factory = definition ? agentFactoryFromDefinition(definition, { config }) : undefined;
    const serving = await serveWorker({ server: { config, llm, bots }, factory });
    log.info(
      { address: serving.address, agent: invocation.fileArgument ?? null, bots: bots.bots?.map((bot) => bot.id) ?? [] },
      `listening on ${serving.address}`,
    );
    // The drain's own spans (sessions ending) are exported before the process exits.
    const flushed = telemetry ? { ...serving, shutdown: (reason: string) => serving.shutdown(reason).finally(() => telemetry.shutdown()) } : serving;
    return (await shutdownOnSignals(flushed, log, signals)) as ExitCode;
  } catch (error) {
    signals.release();
    await telemetry?.shutdown();
    throw error;
  }
}

async function loadBots(config: Config): Promise<BotCatalog> {
  if (config.server.botsFile) return loadBotCatalog(config.server.botsFile);
  const fallback = DEFAULT_BOTS_FILES.map((file) => resolve(file)).find((file) => existsSync(file));
  return fallback ? loadBotCatalog(fallback) : {};
}
