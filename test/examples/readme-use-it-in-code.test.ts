/**
 * README's "Use it in code" runs as written: copied into a project of its own (the package
 * installed by name), pointed at the fakes through the environment only, it joins a call and
 * its process ends by itself with code 0, when the call ends and on Ctrl-C, without calling
 * process.exit().
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readmeExamples } from '../../scripts/package-check/readme-examples.js';
import { FakeGeminiLive } from '../../testing/gemini-live/index.js';
import { FakeStreamApi } from '../../testing/stream-api/index.js';
import { FakeStreamVideo } from '../../testing/stream-video/index.js';
import { createAgentProject, type AgentProject } from '../support/agent-project.js';
import { describeRun, startScript, type RunningScript } from '../support/child-script.js';
import { waitFor, waitUntil } from '../support/wait.js';
import { fakeServicesEnv } from '../../testing/environment.js';

// Node, tsx, wrtc and the SDKs start in about a second when idle; a loaded machine gets room.
const DEADLINE_MS = 90_000;

const example = readmeExamples(readFileSync('README.md', 'utf8')).find(({ heading }) => heading === 'Use it in code');

describe("README's Use it in code", () => {
  let api: FakeStreamApi;
  let video: FakeStreamVideo;
  let live: FakeGeminiLive;
  let project: AgentProject;
  let env: Record<string, string>;

  beforeAll(async () => {
    api = new FakeStreamApi({ apiKey: 'key', apiSecret: 'secret' });
    video = await FakeStreamVideo.start({ apiKey: 'key', apiSecret: 'secret', api });
    live = await FakeGeminiLive.start();
    project = await createAgentProject({ 'use-it.ts': example?.code ?? '' });
    env = {
      ...fakeServicesEnv({ video, google: live }),
      LOG_LEVEL: 'warn',
      // The video client keeps its connect timer running after connecting; a short one lets
      // a process that joined moments ago end soon after (src/edge/stream/stream-edge.ts).
      STREAM_TIMEOUT_MS: '3000',
    };
  });

  afterAll(async () => {
    await live?.close();
    await video?.close();
    await project?.remove();
  });

  /** Starts the example and resolves with the call it joined. */
  async function start(): Promise<{ script: RunningScript; callId: string; output: () => string }> {
    let output = '';
    const script = startScript(project.path('use-it.ts'), { cwd: project.dir, env, deadlineMs: DEADLINE_MS, onOutput: (_chunk, all) => (output = all) });
    let ended = false;
    void script.ended.then(() => (ended = true));
    const callId = await waitFor(() => (ended ? 'ended' : /in call default:(\S+)/.exec(output)?.[1]), 'the example to join a call', DEADLINE_MS);
    if (callId === 'ended') throw new Error(describeRun(await script.ended));
    return { script, callId, output: () => output };
  }

  it('is in the README, importing the package by its name', () => {
    expect(example?.imports).toEqual(['stream-gemini-agents', 'stream-gemini-agents/stream', 'stream-gemini-agents/gemini']);
  });

  it('ends by itself with 0 when the call ends', async () => {
    const { script, callId } = await start();
    expect(video.call(callId).session('assistant')).toBeDefined();
    video.call(callId).end();
    const run = await script.ended;
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.timedOut).toBe(false);
  }, 2 * DEADLINE_MS);

  it('on Ctrl-C leaves the call, flushes the transcript and ends by itself with 0', async () => {
    const { script, callId } = await start();
    const alice = video.call(callId).addParticipant({ userId: 'alice' });
    while (!live.latest?.turns[0]?.completed) await alice.playTone(300, 400);
    script.kill('SIGINT');
    const run = await script.ended;
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.output).toContain('assistant: Hi, how can I help?');
    await waitUntil(() => video.call(callId).session('assistant') === undefined, 'the agent to have left', 10_000);
    // The first exchange; a tone still playing after it may have drawn another answer.
    expect(api.transcript(`messaging:${callId}`).slice(0, 2).map(({ userId }) => userId)).toEqual(['alice', 'assistant']);
  }, 2 * DEADLINE_MS);
});
