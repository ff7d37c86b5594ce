/**
 * `npm run agent` as a person runs it, in a child process pointed at the local fakes through
 * the environment only. The test runs the script's own command line from package.json: npm in
 * front of it would only add its own handling of Ctrl-C (it re-raises the signal on itself,
 * so its exit status says nothing about the agent's).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { withDeadline } from '../../src/core/deadline.js';
import { FakeGeminiLive } from '../../testing/gemini-live/index.js';
import { API_KEY, API_SECRET, startStreamFakes, waitUntil, type StreamFakes } from '../edge/helpers.js';
import { fakeServicesEnv } from '../../testing/environment.js';
import { silencePcm, speechPcm } from '../support/speech.js';

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

/**
 * Runs one phase of the agent's life (each step has a deadline of its own); if it fails, the
 * error names the phase and shows what the agent printed, so a slow machine is told apart from a
 * broken agent.
 */
async function phase<T>(run: Run, what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${what}: ${reason}\n--- the agent's output ---\n${run.output()}`, { cause: error });
  }
}

// Deadlines per phase, generous for a busy CI machine (idle, the whole run takes a few seconds).
// Starting includes node, the TypeScript transform, the native add-ons and the SDKs.
const START_AND_JOIN_MS = 60_000;
const EXCHANGE_MS = 30_000;
const CTRL_C_EXIT_MS = 20_000;
const LEAVE_MS = 10_000;

describe('npm run agent', () => {
  it('is one node process: the stream-agents CLI running agents/voice-agent.ts', () => {
    expect(runAgentCommand()).toMatch(/^node .*src\/cli\.ts run agents\/voice-agent\.ts$/);
  });

  it('names the missing keys and where to get them, exits 2, and starts nothing', async () => {
    const run = runAgent(['--no-demo'], {});
    const code = await phase(run, 'starting without keys', () => withDeadline(run.exit, START_AND_JOIN_MS, 'the agent'));
    expect(code, run.output()).toBe(2);
    expect(run.output()).toMatch(/STREAM_API_KEY, STREAM_API_SECRET, GOOGLE_API_KEY/);
    expect(run.output()).toMatch(/getstream\.io/);
    expect(run.output()).toMatch(/aistudio\.google\.com/);
  }, START_AND_JOIN_MS + 10_000);

  it('joins, talks, and on Ctrl-C flushes the transcript, leaves and exits 0', async () => {
    const stream: StreamFakes = await startStreamFakes();
    cleanups.push(() => stream.close());
    const live = await FakeGeminiLive.start();
    cleanups.push(() => live.close());
    live.script.respondAfterAudioMs = 300;
    live.script.turns.push({ userText: ['Hello', ' agent'], answerText: ['Hello', ' human.'], answerAudioMs: 400 });

    const run = runAgent(['--no-demo', '--call-id', 'cli-call'], {
      ...fakeServicesEnv({ video: stream.video, google: live }),
      AGENT_USER_ID: 'cli-agent',
      LOG_LEVEL: 'info',
    });
    const fakeCall = stream.video.call('cli-call');
    const exited = (code: number | null) => new Error(`the agent exited early with code ${code}`);
    await phase(run, 'starting and joining the call', () =>
      Promise.race([fakeCall.waitForSession('cli-agent', START_AND_JOIN_MS), run.exit.then((code) => Promise.reject(exited(code)))]),
    );

    const human = fakeCall.addParticipant({ userId: 'hana' });
    const greeting = await speechPcm('Hello agent', { sampleRate: 48_000 });
    // The agent subscribes to a newcomer after a moment; until the model hears one, she repeats herself.
    const answering = () => live.latest?.turns[0] !== undefined;
    const exchanged = () => live.latest?.turns[0]?.completed === true;
    await phase(run, 'one exchange with the model', async () => {
      const deadline = performance.now() + EXCHANGE_MS;
      while (!answering()) {
        if (run.child.exitCode !== null) throw exited(run.child.exitCode);
        if (performance.now() > deadline) {
          throw new Error(`no answer within ${EXCHANGE_MS} ms; the model received ${Math.round(live.latest?.audioMs ?? 0)} ms of audio`);
        }
        // Speech, then the silence that ends her turn (the agent detects turns with Silero VAD).
        await human.playPcm(greeting, 48_000);
        await human.playPcm(silencePcm(700, 48_000), 48_000);
        // Long enough for the end of her turn (up to 1.5 s of silence): said again sooner, her
        // greeting would talk over the answer, and cut it.
        await waitUntil(answering, 'an answer', 3000).catch(() => undefined);
      }
      await waitUntil(exchanged, 'the answer to complete', Math.max(deadline - performance.now(), 1000));
    });

    run.child.kill('SIGINT'); // Ctrl-C
    const code = await phase(run, 'exiting on Ctrl-C', () => withDeadline(run.exit, CTRL_C_EXIT_MS, 'the agent'));
    expect(code, run.output()).toBe(0);
    const transcript = stream.api.transcript('messaging:cli-call');
    expect(transcript.slice(0, 2).map(({ userId, text }) => ({ userId, text }))).toEqual([
      { userId: 'hana', text: 'Hello agent' },
      { userId: 'cli-agent', text: 'Hello human.' },
    ]);
    expect(transcript.every((message) => !message.generating)).toBe(true);
    await phase(run, 'leaving the call', () =>
      waitUntil(() => fakeCall.session('cli-agent') === undefined, 'the agent to leave the call', LEAVE_MS),
    );
    expect(run.output()).not.toContain(API_SECRET);
  }, START_AND_JOIN_MS + EXCHANGE_MS + CTRL_C_EXIT_MS + LEAVE_MS + 30_000);
});
