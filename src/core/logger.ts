/**
 * The framework's logging: one pino root logger per process, and a logger per component.
 *
 *   const log = createLogger('worker');                  // { component: 'worker' } on every line
 *   const sessionLog = childLogger(log, { sessionId });  // adds keys; a key given again replaces it
 *   configureLogging({ level: config.logLevel, format: 'auto' });   // what a program's entry does
 *
 * Loggers are often created when a module is imported, before a program has read its
 * configuration (`.env` included). So the level and the format belong to the root, and every
 * logger follows it: `configureLogging` changes both for the loggers that exist already.
 *
 * The context of a logger (`component` and what `childLogger` adds) is merged into each line
 * rather than bound the way pino's `child()` binds, because pino writes bindings as they come:
 * a child that set `component` again, or a line that repeats a bound key, printed the key
 * twice. Here a line has each key once, the most specific value winning.
 */
import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger } from 'pino';
import { ValidationError } from './errors.js';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * `json`: one JSON object a line, for log collectors. `pretty`: human-readable lines (time,
 * level, message, then the fields). `auto`: pretty when standard output is a terminal, else JSON.
 */
export type LogFormat = 'json' | 'pretty' | 'auto';

export interface LoggingOptions {
  level?: LogLevel;
  format?: LogFormat;
  /** Where lines are written; default: standard output, synchronously. */
  destination?: { write(line: string): unknown };
}

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

/** Where a logger keeps its context; loggers made from ours inherit it (pino children are prototypes of their parent). */
const CONTEXT = Symbol('stream-gemini-agents.log-context');
/** Fields a logger adds to each of its lines. */
export type LogContext = Record<string, unknown>;
type ContextLogger = Logger & { [CONTEXT]?: LogContext };

/**
 * The destination of every line. Synchronous writes, so what was logged before a
 * `process.exit` is on the terminal (a worker-thread transport would have to be flushed first);
 * the format can change after loggers exist.
 */
class LogOutput implements DestinationStream {
  #destination: { write(line: string): unknown } = pino.destination({ dest: 1, sync: true });
  #format: (line: string) => string = (line) => line;

  write(line: string): void {
    this.#destination.write(this.#format(line));
  }

  format(format: 'json' | 'pretty'): void {
    this.#format = format === 'json' ? (line) => line : prettyFormatter();
  }

  writeTo(destination: { write(line: string): unknown }): void {
    this.#destination = destination;
  }
}

/** pino-pretty's formatter, loaded only when a program asks for pretty lines. */
function prettyFormatter(): (line: string) => string {
  const { prettyFactory } = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
  return prettyFactory({
    colorize: process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    // `12:00:01.234 INFO: [worker] worker ready`, then the other fields.
    messageFormat: '{if component}[{component}] {end}{msg}',
    ignore: 'pid,hostname,component',
  });
}

let root: ContextLogger | undefined;
let output: LogOutput | undefined;

/**
 * The process-wide logger. Its level starts as `LOG_LEVEL` says when that is valid (else
 * `info`; loadConfig reports an invalid one) and its lines as JSON, until `configureLogging`.
 */
export function rootLogger(): Logger {
  if (!root) {
    output = new LogOutput();
    const level = LOG_LEVELS.find((known) => known === process.env.LOG_LEVEL?.trim()) ?? 'info';
    root = pino(
      {
        level,
        base: undefined,
        redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
        // A copy: pino merges the line's own fields into what the mixin returns.
        mixin: (_line, _level, logger) => ({ ...(logger as ContextLogger)[CONTEXT] }),
      },
      output,
    );
    root[CONTEXT] = {};
  }
  return root;
}

/**
 * Sets the level and the format of every logger of the framework, those created already
 * included. A program calls it once it knows its configuration; without it, lines are JSON at
 * the level `LOG_LEVEL` had when the first logger was created.
 */
export function configureLogging(options: LoggingOptions): void {
  const logger = rootLogger();
  if (options.level !== undefined) {
    if (!LOG_LEVELS.includes(options.level)) {
      throw new ValidationError('level', `must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(options.level)}`);
    }
    logger.level = options.level;
  }
  if (options.format !== undefined) {
    const format = options.format === 'auto' ? (process.stdout.isTTY ? 'pretty' : 'json') : options.format;
    if (format !== 'json' && format !== 'pretty') {
      throw new ValidationError('format', `must be json, pretty or auto, got ${JSON.stringify(options.format)}`);
    }
    output!.format(format);
  }
  if (options.destination !== undefined) output!.writeTo(options.destination);
}

/**
 * A logger with more context: `bindings` are added to every line, replacing keys the parent
 * had. A logger from elsewhere (an application's own pino) gets a pino child instead.
 */
export function childLogger(parent: Logger, bindings: LogContext): Logger {
  const context = (parent as ContextLogger)[CONTEXT];
  if (context === undefined) return parent.child(bindings);
  const child = parent.child({}) as ContextLogger;
  child[CONTEXT] = { ...context, ...bindings };
  return child;
}

/** A logger for one component, e.g. `createLogger('conversation.stream')`. */
export function createLogger(component: string, bindings: LogContext = {}): Logger {
  return childLogger(rootLogger(), { component, ...bindings });
}
