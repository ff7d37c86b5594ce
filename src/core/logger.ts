import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Paths that may hold secrets. pino replaces them before a line is written, so a token that
 * slips into a log call never reaches the output.
 */
const REDACTED_PATHS = [
  'apiKey',
  'apiSecret',
  'secret',
  'token',
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  '*.apiKey',
  '*.apiSecret',
  '*.secret',
  '*.token',
  '*.authorization',
];

let root: Logger | undefined;

/** The process-wide logger; `LOG_LEVEL` sets its level (validated by config). */
export function rootLogger(): Logger {
  root ??= pino({
    level: process.env.LOG_LEVEL ?? 'info',
    base: undefined,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  });
  return root;
}

/** A child logger for one component, e.g. `createLogger('conversation.stream')`. */
export function createLogger(component: string, bindings: Record<string, unknown> = {}): Logger {
  return rootLogger().child({ component, ...bindings });
}
