/**
 * The exit codes of every `stream-agents` command (the table in README.md):
 *
 * - 0: done. Stopped by Ctrl-C or SIGTERM after closing cleanly (transcripts flushed, calls
 *   left, a worker drained), the call ended, or `--help`.
 * - 1: failed. The agent or the server could not start (a join that failed, a port in use),
 *   stopped with an error, a worker's drain abandoned sessions, or a second Ctrl-C cut the
 *   closing short.
 * - 2: configuration. Missing credentials, an invalid variable (LOG_LEVEL=loud), or an agent
 *   file that is not a valid definition.
 * - 64: usage. An unknown command or flag, a flag without its value or with an invalid one, a
 *   missing file argument or a file that does not exist (EX_USAGE of sysexits.h).
 */
import { ConfigError } from '../core/errors.js';

export const ExitCode = {
  ok: 0,
  failed: 1,
  config: 2,
  usage: 64,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The command line itself is wrong: the message names the command, flag or file. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The exit code for an error that ends a command before it started its work. */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof UsageError) return ExitCode.usage;
  if (error instanceof ConfigError) return ExitCode.config;
  return ExitCode.failed;
}
