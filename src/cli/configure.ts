/**
 * What every command does first: read the configuration (the environment, then `.env`), with
 * `--log-level` over LOG_LEVEL and `--pipeline` over AGENT_MODE, and set the framework's logging from it: human-readable lines on
 * a terminal, JSON lines otherwise.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig, missingCredentials, type Config } from '../config.js';
import { configureLogging, createLogger } from '../core/logger.js';
import type { Invocation } from './usage.js';

/** Throws the ConfigError of an invalid variable (LOG_LEVEL among them), naming it. */
export function configureFromEnvironment(invocation: Pick<Invocation, 'logLevel' | 'pipeline'>): Config {
  // Set before .env is read, which never overrides what is set: the flag wins, and the agent
  // processes that `dev` starts inherit it.
  if (invocation.logLevel !== undefined) process.env.LOG_LEVEL = invocation.logLevel;
  if (invocation.pipeline) process.env.AGENT_MODE = 'pipeline';
  const config = loadConfig();
  configureLogging({ level: config.logLevel, format: 'auto' });
  const envFile = resolve('.env');
  createLogger('cli').debug({ logLevel: config.logLevel, envFile: existsSync(envFile) ? envFile : null }, 'configuration read');
  return config;
}

/** The order credentials are named in, as in .env.example. */
const CREDENTIALS = ['STREAM_API_KEY', 'STREAM_API_SECRET', 'GOOGLE_API_KEY', 'DEEPGRAM_API_KEY', 'ELEVENLABS_API_KEY', 'CARTESIA_API_KEY'];

/** Throws one ConfigError naming every missing credential (and where to get it), so they are fixed in one go. */
export function requireCredentials(missing: Iterable<string>): void {
  const names = [...new Set(missing)].sort((a, b) => CREDENTIALS.indexOf(a) - CREDENTIALS.indexOf(b));
  if (names.length > 0) throw missingCredentials(names);
}
