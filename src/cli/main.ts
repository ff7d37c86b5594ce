/**
 * `stream-agents <command>`: reads the command line, runs the command, and turns how it ended
 * into the exit code (see exit-codes.ts). Problems the person at the terminal must fix (usage,
 * configuration) are printed as plain text, not as log lines.
 */
import { createRequire } from 'node:module';
import { devCommand } from './dev-command.js';
import { ExitCode, exitCodeOf, UsageError } from './exit-codes.js';
import { runCommand } from './run-command.js';
import { serveCommand } from './serve-command.js';
import { helpText, parseCommandLine, type CommandName, type Invocation } from './usage.js';

const COMMANDS: Record<CommandName, (invocation: Invocation) => Promise<ExitCode>> = {
  run: runCommand,
  dev: devCommand,
  serve: serveCommand,
};

export async function main(argv: string[]): Promise<ExitCode> {
  try {
    const parsed = parseCommandLine(argv);
    if ('version' in parsed) {
      process.stdout.write(`${packageVersion()}\n`);
      return ExitCode.ok;
    }
    if (parsed.help) {
      process.stdout.write(helpText(parsed.command));
      return ExitCode.ok;
    }
    return await COMMANDS[parsed.command](parsed);
  } catch (error) {
    const code = exitCodeOf(error);
    const message = error instanceof Error ? error.message : String(error);
    if (code === ExitCode.failed) process.stderr.write(`\n${error instanceof Error ? (error.stack ?? message) : message}\n\n`);
    else process.stderr.write(`\n${message}\n${error instanceof UsageError ? 'See stream-agents --help.\n' : ''}\n`);
    return code;
  }
}

function packageVersion(): string {
  // ../package.json from src/cli (the sources) and from dist/cli (the build) alike.
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}
