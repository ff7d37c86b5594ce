#!/usr/bin/env node
/**
 * The command line: `serve` runs the HTTP server (stateless completion, conversations, health)
 * until SIGTERM/SIGINT. More commands (`run`: one agent in a call) plug into COMMANDS.
 *
 *   npm run serve                 # node --import tsx src/cli.ts serve
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig, type Config } from './config.js';
import { ConfigError } from './core/errors.js';
import { createLogger } from './core/logger.js';
import { GeminiLLM } from './llm/gemini/gemini-llm.js';
import { geminiLLMOptions } from './presets.js';
import type { BotCatalog } from './completion/bots/catalog.js';
import { loadBotCatalog } from './completion/bots/load-bot-catalog.js';
import { exitOnSignals, serveWorker } from './worker/serve-worker.js';
import { startTelemetry } from './telemetry/start-telemetry.js';

/** Where bots are looked for when BOTS_FILE is not set: the source, or its compiled build. */
const DEFAULT_BOTS_FILES = ['agents/bots.ts', 'agents/bots.js'];

const COMMANDS: Record<string, { describe: string; run: (config: Config) => Promise<void> }> = {
  serve: { describe: 'run the worker (agent sessions, completion API, conversations, health, metrics) on HOST:PORT', run: serve },
};

async function serve(config: Config): Promise<void> {
  const log = createLogger('cli');
  // First, so that everything after it is traced (when OTEL_EXPORTER_OTLP_ENDPOINT asks for it).
  const telemetry = await startTelemetry(createLogger('telemetry'));
  const llm = new GeminiLLM(geminiLLMOptions(config));
  const bots = await loadBots(config);
  // The worker: sessions API, /ready, /metrics, shared stores (REDIS_URL), drain on SIGTERM.
  const serving = await serveWorker({ server: { config, llm, bots } }).catch(async (error: unknown) => {
    await telemetry?.shutdown();
    throw error;
  });
  log.info({ address: serving.address, bots: bots.bots?.map((bot) => bot.id) ?? [] }, `listening on ${serving.address}`);
  // The drain's own spans (sessions ending) are exported before the process exits.
  const flushed = telemetry ? { ...serving, shutdown: (reason: string) => serving.shutdown(reason).finally(() => telemetry.shutdown()) } : serving;
  exitOnSignals(flushed, log);
}

async function loadBots(config: Config): Promise<BotCatalog> {
  if (config.server.botsFile) return loadBotCatalog(config.server.botsFile);
  const fallback = DEFAULT_BOTS_FILES.map((file) => resolve(file)).find((file) => existsSync(file));
  return fallback ? loadBotCatalog(fallback) : {};
}

async function main(argv: string[]): Promise<void> {
  const name = argv[0];
  const command = name === undefined ? undefined : COMMANDS[name];
  if (!command) {
    const lines = Object.entries(COMMANDS).map(([key, { describe }]) => `  ${key.padEnd(8)} ${describe}`);
    process.stderr.write(`Usage: node --import tsx src/cli.ts <command>\n\nCommands:\n${lines.join('\n')}\n`);
    process.exit(name === undefined || name === '--help' ? 0 : 2);
  }
  try {
    await command.run(loadConfig());
  } catch (thrown) {
    if (thrown instanceof ConfigError) {
      process.stderr.write(`${thrown.message}\n`);
      process.exit(1);
    }
    throw thrown;
  }
}

await main(process.argv.slice(2));
