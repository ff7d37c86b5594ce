/**
 * The command line's grammar: `stream-agents <command> [file] [flags]`, checked strictly (an
 * unknown flag or command is a UsageError naming it), and the help that describes it.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { invalidCallId, invalidCallType, isCallId, isCallType } from '../core/call-ids.js';
import { LOG_LEVELS, type LogLevel } from '../core/logger.js';
import { UsageError } from './exit-codes.js';

export type CommandName = 'run' | 'dev' | 'serve';

export interface Invocation {
  command: CommandName;
  /** The agent file, absolute; `serve` may have none. */
  file: string | undefined;
  /** As given on the command line, for messages. */
  fileArgument: string | undefined;
  callId: string | undefined;
  callType: string;
  demo: boolean;
  /** `--pipeline`: pipeline mode (AGENT_MODE=pipeline) for the default model. */
  pipeline: boolean;
  logLevel: LogLevel | undefined;
}

export type ParsedCommandLine = { help: true; command?: CommandName } | { version: true } | ({ help?: false } & Invocation);

interface CommandSpec {
  usage: string;
  /** Lines of the help, at most 76 characters each. */
  describe: string[];
  fileRequired: boolean;
  flags: string[];
}

const COMMANDS: Record<CommandName, CommandSpec> = {
  run: {
    usage: 'run <file>',
    describe: [
      'Joins a Stream Video call with the agent <file> defines (a new call, or',
      '--call-id) and prints a link to talk to it. Ctrl-C leaves the call.',
    ],
    fileRequired: true,
    flags: ['call-id', 'call-type', 'no-demo', 'pipeline', 'log-level', 'help'],
  },
  dev: {
    usage: 'dev <file>',
    describe: [
      'run, and when <file> or a file it imports from its folder changes, a new',
      'agent replaces the old one in the same call.',
    ],
    fileRequired: true,
    flags: ['call-id', 'call-type', 'no-demo', 'pipeline', 'log-level', 'help'],
  },
  serve: {
    usage: 'serve [file]',
    describe: [
      'The worker on HOST:PORT: the agent <file> defines for every session, the',
      'completion API, /health, /ready and /metrics. Without a file it serves',
      'completions only. SIGTERM or Ctrl-C drains it.',
    ],
    fileRequired: false,
    flags: ['pipeline', 'log-level', 'help'],
  },
};

const FLAGS: Record<string, { type: 'string' | 'boolean'; short?: string; flag: string; describe: string }> = {
  'call-id': { type: 'string', flag: '--call-id <id>', describe: 'the call to join, created if needed (default: a new one)' },
  'call-type': { type: 'string', flag: '--call-type <type>', describe: 'its type (default: default)' },
  'no-demo': { type: 'boolean', flag: '--no-demo', describe: 'print no demo link and open no browser' },
  pipeline: { type: 'boolean', flag: '--pipeline', describe: 'STT → Gemini text → TTS instead of Gemini Live (AGENT_MODE=pipeline)' },
  'log-level': { type: 'string', flag: '--log-level <level>', describe: `${LOG_LEVELS.join(', ')}; default: LOG_LEVEL, else info` },
  help: { type: 'boolean', short: 'h', flag: '-h, --help', describe: 'this help' },
};

export function helpText(command?: CommandName): string {
  const names = command ? [command] : (Object.keys(COMMANDS) as CommandName[]);
  const flags = Object.keys(FLAGS).filter((flag) => names.some((name) => COMMANDS[name].flags.includes(flag)));
  const scope = (flag: string) => {
    const using = names.filter((name) => COMMANDS[name].flags.includes(flag));
    return using.length === names.length ? '' : ` (${using.join(', ')})`;
  };
  return [
    `Usage: stream-agents ${command ? COMMANDS[command].usage : '<command> <file>'} [flags]`,
    '',
    'Commands:',
    ...names.flatMap((name) => COMMANDS[name].describe.map((line, index) => `  ${(index === 0 ? COMMANDS[name].usage : '').padEnd(15)}${line}`)),
    '',
    'Flags:',
    ...flags.map((flag) => `  ${FLAGS[flag]!.flag.padEnd(21)}${FLAGS[flag]!.describe}${scope(flag)}`),
    ...(command ? [] : [`  ${'--version'.padEnd(21)}the version of stream-gemini-agents`]),
    '',
    "An agent file's default export is `defineAgent({ ... })` from 'stream-gemini-agents';",
    'TypeScript files load as they are, without a build. Configuration comes from the',
    'environment and .env (see .env.example).',
    '',
    'Exit codes: 0 done (Ctrl-C, the call ended, --help); 1 failed (could not start, stopped',
    'with an error, a drain abandoned sessions); 2 configuration (missing credentials, an',
    'invalid variable or agent file); 64 usage (an unknown command or flag, a missing file).',
    '',
  ].join('\n');
}

/** Reads `argv` (the arguments after `stream-agents`); throws UsageError naming what is wrong. */
export function parseCommandLine(argv: string[]): ParsedCommandLine {
  const [name, ...rest] = argv;
  if (name === undefined) throw new UsageError('Name a command: run, dev or serve.');
  if (name === '--help' || name === '-h' || name === 'help') return { help: true };
  if (name === '--version') return { version: true };
  if (!Object.hasOwn(COMMANDS, name)) throw new UsageError(`Unknown command "${name}": use run, dev or serve.`);
  const command = name as CommandName;
  const spec = COMMANDS[command];
  const options = Object.fromEntries(
    spec.flags.map((flag) => [flag, { type: FLAGS[flag]!.type, ...(FLAGS[flag]!.short ? { short: FLAGS[flag]!.short } : {}) }]),
  );
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (thrown) {
    throw new UsageError(`${command}: ${plainParseError(thrown)}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true, command };
  if (positionals.length > 1) throw new UsageError(`${command} takes one agent file; got ${positionals.map((each) => JSON.stringify(each)).join(', ')}.`);
  const fileArgument = positionals[0];
  if (fileArgument === undefined && spec.fileRequired) throw new UsageError(`${command} needs an agent file: stream-agents ${spec.usage}`);
  const file = fileArgument === undefined ? undefined : resolve(fileArgument);
  if (file !== undefined && (!existsSync(file) || !statSync(file).isFile())) {
    throw new UsageError(`The agent file ${fileArgument} does not exist (looked for ${file}).`);
  }
  const logLevel = values['log-level'] as string | undefined;
  if (logLevel !== undefined && !(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new UsageError(`--log-level ${JSON.stringify(logLevel)} is not a level: use ${LOG_LEVELS.join(', ')}.`);
  }
  const callId = values['call-id'] as string | undefined;
  if (callId !== undefined && !isCallId(callId)) throw new UsageError(`--call-id: ${invalidCallId(callId)}.`);
  const callType = (values['call-type'] as string | undefined) ?? 'default';
  if (!isCallType(callType)) throw new UsageError(`--call-type: ${invalidCallType(callType)}.`);
  return { command, file, fileArgument, callId, callType, demo: values['no-demo'] !== true, pipeline: values.pipeline === true, logLevel: logLevel as LogLevel | undefined };
}

/** parseArgs' message without its advice about `--`, which is beside the point here. */
function plainParseError(thrown: unknown): string {
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return message.replace(/\. To specify a positional argument.*$/s, '.');
}
