/**
 * The CLI's log lines: human-readable on a terminal, JSON lines otherwise. The terminal is a
 * real pseudo-terminal (util-linux `script`, part of every Debian system), and the run fails
 * on purpose (Stream unreachable) so that it logs and ends by itself.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentProject, type AgentProject } from '../support/agent-project.js';
import { CLI_NODE_ARGS, spawnCli } from '../support/cli-process.js';

const DEADLINE_MS = 60_000;
// Port 9 (discard) refuses connections: the agent cannot reach Stream and the run fails at once.
const ENV = { STREAM_API_KEY: 'k', STREAM_API_SECRET: 's', GOOGLE_API_KEY: 'g', STREAM_BASE_URL: 'http://127.0.0.1:9', STREAM_TIMEOUT_MS: '2000' };
const ARGS = ['run', 'agent.ts', '--no-demo'];

let project: AgentProject;
beforeAll(async () => {
  project = await createAgentProject({ 'agent.ts': "import { defineAgent } from 'stream-gemini-agents';\nexport default defineAgent({});\n" });
});
afterAll(() => project?.remove());

const quote = (value: string) => `'${value.replaceAll("'", "'\\''")}'`;

/** The CLI on a pseudo-terminal: `script` runs it and relays what it writes to the terminal. */
function onTerminal(): Promise<{ code: number | null; output: string }> {
  const command = ['env', '-i', ...Object.entries({ PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...ENV }).map(([key, value]) => `${key}=${value}`), process.execPath, ...CLI_NODE_ARGS, ...ARGS]
    .map(quote)
    .join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: project.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

describe('the CLI logs', () => {
  it('human-readable lines on a terminal, in colour', async () => {
    const { code, output } = await onTerminal();
    expect(code, output).toBe(1);
    const plain = output.replaceAll(/\u001b\[\d+m/g, '');
    expect(plain).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] ERROR: \[cli\] the agent stopped with an error/m);
    expect(output).toContain('\u001b[31mERROR');
    expect(plain).not.toMatch(/^\{/m);
  }, DEADLINE_MS);

  it('JSON lines otherwise', async () => {
    const cli = spawnCli(ARGS, { cwd: project.dir, env: ENV });
    expect(await cli.exited, cli.output()).toBe(1);
    const line = cli.output().split('\n').find((each) => each.includes('the agent stopped with an error'));
    expect(JSON.parse(line!)).toMatchObject({ level: 50, component: 'cli', msg: 'the agent stopped with an error' });
  }, DEADLINE_MS);
});
