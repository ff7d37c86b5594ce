/**
 * `npm run agent` as a person runs it, in a child process pointed at the local fakes through
 * the environment only. The test runs the script's own command line from package.json: npm in
 * front of it would only add its own handling of Ctrl-C (it re-raises the signal on itself,
 * so its exit status says nothing about the agent's).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeGeminiLive } from '../fakes/gemini-live/index.js';
import { API_KEY, API_SECRET, startStreamFakes, waitUntil, type StreamFakes } from '../edge/helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Run {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

function runAgentCommand(): string {
  return (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts.agent!;
}

function runAgent(args: string[], env: Record<string, string>): Run {
  const [command, ...scriptArgs] = runAgentCommand().split(' ');
  const child = spawn(command!, [...scriptArgs, ...args], {
    cwd: process.cwd(),
    // Only what a person would set, so nothing from the test runner leaks in.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', CI: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  cleanups.push(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return { child, output: () => output, exit };
}


describe('npm run agent', () => {
  it('is one node process running agents/demo.ts', () => {
    expect(runAgentCommand()).toMatch(/^node .*agents\/demo\.ts$/);
  });

  it('names the missing keys and where to get them, exits 2, and starts nothing', async () => {
    const run = runAgent(['--no-demo'], {});
    await expect(run.exit).resolves.toBe(2);
    expect(run.output()).toMatch(/STREAM_API_KEY, STREAM_API_SECRET, GOOGLE_API_KEY/);
    expect(run.output()).toMatch(/getstream\.io/);
    expect(run.output()).toMatch(/aistudio\.google\.com/);
  });

  it('joins, talks, and on Ctrl-C flushes the transcript, leaves and exits 0', async () => {
    const stream: StreamFakes = await startStreamFakes();
    cleanups.push(() => stream.close());
    const live = await FakeGeminiLive.start();
    cleanups.push(() => live.close());
    live.script.respondAfterAudioMs = 300;
    live.script.turns.push({ userText: ['Hello', ' agent'], answerText: ['Hello', ' human.'], answerAudioMs: 400 });

    const run = runAgent(['--no-demo', '--call-id', 'cli-call'], {
      STREAM_API_KEY: API_KEY,
      STREAM_API_SECRET: API_SECRET,
      STREAM_BASE_URL: stream.video.baseUrl,
      STREAM_VIDEO_BASE_URL: stream.video.videoBaseUrl,
      STREAM_LOCATION_HINT_URL: stream.video.locationHintUrl,
      GOOGLE_API_KEY: live.apiKey,
      GOOGLE_GEMINI_BASE_URL: live.baseUrl,
      AGENT_USER_ID: 'cli-agent',
      LOG_LEVEL: 'info',
    });
    const fakeCall = stream.video.call('cli-call');
    await fakeCall.waitForSession('cli-agent', 30_000);
    const human = fakeCall.addParticipant({ userId: 'hana' });
    // The agent subscribes to a newcomer after a moment; until it hears one, she repeats herself.
    const exchanged = () => live.latest?.turns[0]?.completed === true;
    while (!exchanged()) {
      await human.playTone(300, 400);
      await waitUntil(() => exchanged() || live.latest?.turns[0] !== undefined, 'an answer', 1000).catch(() => undefined);
    }
    await waitUntil(exchanged, 'one exchange', 20_000);

    run.child.kill('SIGINT'); // Ctrl-C
    await expect(run.exit).resolves.toBe(0);
    const transcript = stream.api.transcript('messaging:cli-call');
    expect(transcript.slice(0, 2).map(({ userId, text }) => ({ userId, text }))).toEqual([
      { userId: 'hana', text: 'Hello agent' },
      { userId: 'cli-agent', text: 'Hello human.' },
    ]);
    expect(transcript.every((message) => !message.generating)).toBe(true);
    await waitUntil(() => fakeCall.session('cli-agent') === undefined, 'the agent to leave the call', 5000);
    expect(run.output()).not.toContain(API_SECRET);
  }, 60_000);
});
