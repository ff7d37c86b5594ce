/**
 * The `stream-agents` command as a person runs it: child processes with only the environment
 * given, in a project of their own whose agent files import the package by name, against the
 * Stream and Gemini fakes. What each command does, how it ends, and its exit codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGemini } from '../../testing/gemini/index.js';
import { FakeGeminiLive } from '../../testing/gemini-live/index.js';
import { FakeStreamApi } from '../../testing/stream-api/index.js';
import { FakeStreamVideo } from '../../testing/stream-video/index.js';
import { createAgentProject, type AgentProject } from '../support/agent-project.js';
import { spawnCli, spawnServe, type CliProcess } from '../support/cli-process.js';
import { waitFor, waitUntil } from '../support/wait.js';
import { fakeServicesEnv } from '../../testing/environment.js';
import { duplicateKeys } from './json-keys.js';

const STREAM_KEY = 'cli-stream-key';
const STREAM_SECRET = 'cli-stream-secret';
const AGENT_ID = 'cli-agent';
// A child process starts Node, tsx and the agent file; a loaded machine gets room.
const START_MS = 60_000;

const AGENT_FILE = `
import { defineAgent, defineTool } from 'stream-gemini-agents';
import { z } from 'zod';

export default defineAgent({
  instructions: 'INSTRUCTIONS_MARK',
  tools: [
    defineTool({
      name: 'echo',
      description: 'Says it back',
      parameters: z.object({ text: z.string() }),
      execute: ({ text }) => ({ text }),
    }),
  ],
});
`;

const agentFile = (mark: string) => AGENT_FILE.replace('INSTRUCTIONS_MARK', mark);

let project: AgentProject;
beforeAll(async () => {
  project = await createAgentProject({ 'agent.ts': agentFile('You are the first agent.') });
});
afterAll(() => project?.remove());

/** The address a `serve` process listens on, once it logs that the worker is ready. */
async function readyAddress(serve: CliProcess): Promise<string> {
  await waitUntil(() => /"msg":"worker ready"/.test(serve.output()) || serve.child.exitCode !== null, 'the worker to be ready', START_MS);
  const address = /"address":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*"msg":"worker ready"/.exec(serve.output())?.[1];
  expect(address, serve.output()).toBeDefined();
  return address!;
}

/** What every command of a finished process printed, and its code. */
async function finished(cli: CliProcess): Promise<{ code: number | null; output: string }> {
  const code = await cli.exited;
  return { code, output: cli.output() };
}

describe('stream-agents: the command line and its exit codes', () => {
  it('--help describes the commands, their flags and the exit codes, and exits 0', async () => {
    const { code, output } = await finished(spawnCli(['--help'], { cwd: project.dir }));
    expect(code, output).toBe(0);
    for (const text of ['run <file>', 'dev <file>', 'serve [file]', '--call-id', '--no-demo', '--log-level', 'Exit codes']) {
      expect(output).toContain(text);
    }
    const runHelp = await finished(spawnCli(['run', '--help'], { cwd: project.dir }));
    expect(runHelp.code).toBe(0);
    expect(runHelp.output).toContain('Usage: stream-agents run <file>');
  }, START_MS);

  it('refuses an unknown command, an unknown flag and a missing file with 64, naming them', async () => {
    const cases: [string[], RegExp][] = [
      [['launch', 'agent.ts'], /Unknown command "launch"/],
      [['toString', 'agent.ts'], /Unknown command "toString"/],
      [['run', 'agent.ts', '--loud'], /--loud/],
      [['run'], /run needs an agent file/],
      [['run', 'missing.ts'], /The agent file missing\.ts does not exist/],
      [['run', 'agent.ts', '--log-level', 'loud'], /--log-level "loud" is not a level/],
      [['run', 'agent.ts', '--call-id', 'has space'], /--call-id/],
    ];
    for (const [args, message] of cases) {
      const { code, output } = await finished(spawnCli(args, { cwd: project.dir }));
      expect(code, `${args.join(' ')}: ${output}`).toBe(64);
      expect(output).toMatch(message);
    }
  }, 4 * START_MS);

  it('exits 2 naming every missing credential, for run, dev and serve alike, and in pipeline mode', async () => {
    const run = await finished(spawnCli(['run', 'agent.ts'], { cwd: project.dir }));
    expect(run.code, run.output).toBe(2);
    for (const name of ['STREAM_API_KEY', 'STREAM_API_SECRET', 'GOOGLE_API_KEY']) expect(run.output).toContain(name);

    const dev = await finished(spawnCli(['dev', 'agent.ts'], { cwd: project.dir, env: { GOOGLE_API_KEY: 'set' } }));
    expect(dev.code, dev.output).toBe(2);
    expect(dev.output).toContain('STREAM_API_KEY');
    expect(dev.output).not.toContain('GOOGLE_API_KEY');

    const serve = await finished(spawnCli(['serve'], { cwd: project.dir }));
    expect(serve.code, serve.output).toBe(2);
    expect(serve.output).toContain('GOOGLE_API_KEY');

    // Pipeline mode needs the speech providers' keys instead (the chosen TTS's only).
    const pipeline = await finished(spawnCli(['run', 'agent.ts', '--pipeline'], { cwd: project.dir, env: { STREAM_API_KEY: 'k', STREAM_API_SECRET: 's', GOOGLE_API_KEY: 'g' } }));
    expect(pipeline.code, pipeline.output).toBe(2);
    expect(pipeline.output).toMatch(/Missing DEEPGRAM_API_KEY, ELEVENLABS_API_KEY\./);
    const cartesia = await finished(spawnCli(['run', 'agent.ts'], { cwd: project.dir, env: { AGENT_MODE: 'pipeline', TTS_PROVIDER: 'cartesia', STREAM_API_KEY: 'k', STREAM_API_SECRET: 's', GOOGLE_API_KEY: 'g', DEEPGRAM_API_KEY: 'd' } }));
    expect(cartesia.code, cartesia.output).toBe(2);
    expect(cartesia.output).toMatch(/Missing CARTESIA_API_KEY\./);
  }, 5 * START_MS);

  it('exits 2 for an invalid LOG_LEVEL in .env, naming it', async () => {
    const other = await createAgentProject({ 'agent.ts': agentFile('x'), '.env': 'LOG_LEVEL=loud\n' });
    try {
      const { code, output } = await finished(spawnCli(['run', 'agent.ts'], { cwd: other.dir }));
      expect(code, output).toBe(2);
      expect(output).toContain('LOG_LEVEL="loud"');
    } finally {
      await other.remove();
    }
  }, START_MS);

  it('exits 2 for a file that is not an agent definition, saying what is wrong', async () => {
    await project.write('no-default.ts', 'export const agent = 1;\n');
    await project.write('bad-field.ts', "import { defineAgent } from 'stream-gemini-agents';\nexport default defineAgent({ instructions: 'x', voice: 'Puck' } as never);\n");
    const env = { STREAM_API_KEY: 'k', STREAM_API_SECRET: 's', GOOGLE_API_KEY: 'g' };
    const noDefault = await finished(spawnCli(['run', 'no-default.ts'], { cwd: project.dir, env }));
    expect(noDefault.code, noDefault.output).toBe(2);
    expect(noDefault.output).toContain('no-default.ts must export an agent definition as default');
    const badField = await finished(spawnCli(['run', 'bad-field.ts'], { cwd: project.dir, env }));
    expect(badField.code, badField.output).toBe(2);
    expect(badField.output).toContain('voice: is not a field of an agent definition');
  }, 2 * START_MS);
});

describe('stream-agents with the services (fakes)', () => {
  let api: FakeStreamApi;
  let video: FakeStreamVideo;
  let live: FakeGeminiLive;
  let gemini: FakeGemini;
  let geminiUrl: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    api = new FakeStreamApi({ apiKey: STREAM_KEY, apiSecret: STREAM_SECRET });
    video = await FakeStreamVideo.start({ apiKey: STREAM_KEY, apiSecret: STREAM_SECRET, api });
    live = await FakeGeminiLive.start();
    gemini = new FakeGemini();
    geminiUrl = await gemini.start();
    env = {
      ...fakeServicesEnv({ video, google: live }),
      AGENT_USER_ID: AGENT_ID,
    };
  });

  afterAll(async () => {
    await live?.close();
    await video?.close();
    await gemini?.close();
  });

  const connectionsWith = (text: string) =>
    live.connections.filter((connection) => JSON.stringify(connection.setup?.systemInstruction ?? '').includes(text));

  it('run: the file\'s agent joins the call with its instructions and tools; LOG_LEVEL comes from .env; Ctrl-C leaves and exits 0', async () => {
    const callId = 'cli-run-call';
    await project.write('.env', 'LOG_LEVEL=debug\n');
    const cli = spawnCli(['run', 'agent.ts', '--call-id', callId, '--no-demo'], { cwd: project.dir, env });
    try {
      await video.call(callId).waitForSession(AGENT_ID, START_MS);
      const [connection] = connectionsWith('You are the first agent.');
      // The file's tool, and the built-in one that posts to the call's chat.
      expect(connection?.setup?.tools?.[0]?.functionDeclarations?.map((declaration) => declaration.name)).toEqual(['echo', 'post_to_chat']);
      await waitUntil(() => cli.output().includes('the agent is in the call'), 'the run to log that it joined', START_MS);
      // .env's LOG_LEVEL=debug was applied: the debug line saying where the configuration came from.
      expect(cli.output()).toMatch(/"level":20[^\n]*"msg":"configuration read"/);
      cli.child.kill('SIGINT');
      const { code, output } = await finished(cli);
      expect(code, output).toBe(0);
      expect(video.call(callId).session(AGENT_ID)).toBeUndefined();
      expect(output).toContain('agent left the call');
      const lines = output.split('\n').filter((line) => line.startsWith('{'));
      expect(lines.length).toBeGreaterThan(3);
      for (const line of lines) expect(duplicateKeys(line), line).toEqual([]);
    } finally {
      cli.child.kill('SIGKILL');
      await project.write('.env', '');
    }
  }, 2 * START_MS);

  it('run --pipeline: the default model is pipeline mode (Deepgram, Gemini text, ElevenLabs, Silero VAD); Ctrl-C exits 0', async () => {
    const { FakeDeepgram } = await import('../../testing/deepgram/index.js');
    const { FakeElevenLabs } = await import('../../testing/elevenlabs/index.js');
    const [deepgram, elevenlabs] = await Promise.all([FakeDeepgram.start(), FakeElevenLabs.start()]);
    const callId = 'cli-pipeline-call';
    const liveSessionsBefore = live.connections.length;
    const cli = spawnCli(['run', 'agent.ts', '--pipeline', '--call-id', callId, '--no-demo'], {
      cwd: project.dir,
      env: { ...env, ...fakeServicesEnv({ google: { apiKey: 'key', baseUrl: geminiUrl }, deepgram, elevenlabs }), LOG_LEVEL: 'info' },
    });
    try {
      await video.call(callId).waitForSession(AGENT_ID, START_MS);
      await waitUntil(() => cli.output().includes('the agent is in the call'), 'the run to log that it joined', START_MS);
      // The STT socket is open, at the pipeline's 16 kHz, and no Gemini Live session was opened.
      const socket = await waitFor(() => deepgram.connections[0], 'the Deepgram socket', START_MS);
      expect(socket.query.get('sample_rate')).toBe('16000');
      expect(live.connections.length).toBe(liveSessionsBefore);
      cli.child.kill('SIGINT');
      const { code, output } = await finished(cli);
      expect(code, output).toBe(0);
      expect(video.call(callId).session(AGENT_ID)).toBeUndefined();
    } finally {
      cli.child.kill('SIGKILL');
      await deepgram.close();
      await elevenlabs.close();
    }
  }, 2 * START_MS);

  it('serve <file>: every session runs the file\'s agent; SIGTERM drains and exits 0', async () => {
    const callId = 'cli-serve-call';
    video.call(callId).addParticipant({ userId: 'alice' });
    const serve = spawnCli(['serve', 'agent.ts'], {
      cwd: project.dir,
      env: { ...env, HOST: '127.0.0.1', PORT: '0', WORKER_API_KEYS: 'cli-key', LOG_LEVEL: 'info' },
    });
    try {
      const address = await readyAddress(serve);
      const created = await fetch(`${address}/calls/default/${callId}/sessions`, { method: 'POST', headers: { authorization: 'Bearer cli-key' } });
      expect(created.status, await created.clone().text()).toBe(201);
      await video.call(callId).waitForSession(AGENT_ID, START_MS);
      expect(connectionsWith('You are the first agent.').length).toBeGreaterThan(0);
      serve.child.kill('SIGTERM');
      const { code, output } = await finished(serve);
      expect(code, output).toBe(0);
      expect(video.call(callId).session(AGENT_ID)).toBeUndefined();
      expect(output).not.toContain('cli-key');
    } finally {
      serve.child.kill('SIGKILL');
    }
  }, 2 * START_MS);

  it('serve with AGENT_MODE=pipeline: a session\'s agent hears speech and answers it through the pipeline', async () => {
    const { FakeDeepgram } = await import('../../testing/deepgram/index.js');
    const { FakeElevenLabs } = await import('../../testing/elevenlabs/index.js');
    const { speechPcm } = await import('../support/speech.js');
    const [deepgram, elevenlabs] = await Promise.all([FakeDeepgram.start(), FakeElevenLabs.start()]);
    gemini.script({ text: 'Answered by the worker.' });
    const callId = 'cli-serve-pipeline';
    const person = video.call(callId).addParticipant({ userId: 'jo' });
    const serve = spawnCli(['serve', 'agent.ts'], {
      cwd: project.dir,
      env: {
        ...env,
        ...fakeServicesEnv({ google: { apiKey: 'key', baseUrl: geminiUrl }, deepgram, elevenlabs }),
        AGENT_MODE: 'pipeline',
        HOST: '127.0.0.1',
        PORT: '0',
        WORKER_API_KEYS: 'cli-key',
        LOG_LEVEL: 'info',
      },
    });
    try {
      const address = await readyAddress(serve);
      const created = await fetch(`${address}/calls/default/${callId}/sessions`, { method: 'POST', headers: { authorization: 'Bearer cli-key' } });
      expect(created.status, await created.clone().text()).toBe(201);
      const socket = await waitFor(() => deepgram.connections[0], 'the session\'s STT socket', START_MS);
      // Jo asks; the fake STT hears it where the speech is in the audio it receives.
      const speech = await speechPcm('Is anybody there?', { sampleRate: 48_000 });
      const startMs = socket.audioMs + 400;
      socket.hear({ text: 'Is anybody there?', startMs: startMs + 150, endMs: startMs + (speech.length / 48_000) * 1000 });
      await waitUntil(() => socket.audioMs >= startMs, 'the STT to reach the speech', START_MS);
      await person.playPcm(speech, 48_000);
      await waitUntil(
        () => api.transcript(`messaging:${callId}`).some(({ userId, text }) => userId === AGENT_ID && text === 'Answered by the worker.'),
        'the answer in the call\'s chat',
        START_MS,
      );
      expect(api.transcript(`messaging:${callId}`)[0]).toMatchObject({ userId: 'jo', text: 'Is anybody there?' });
      serve.child.kill('SIGTERM');
      const { code, output } = await finished(serve);
      expect(code, output).toBe(0);
    } finally {
      serve.child.kill('SIGKILL');
      await deepgram.close();
      await elevenlabs.close();
    }
  }, 2 * START_MS);

  it('serve: a SIGTERM while it starts is held, and drains it once it serves, exit 0', async () => {
    const serve = spawnCli(['serve', 'agent.ts'], { cwd: project.dir, env: { ...env, HOST: '127.0.0.1', PORT: '0', WORKER_API_KEYS: 'cli-key', LOG_LEVEL: 'info' } });
    let sent = false;
    serve.child.stdout!.on('data', () => {
      // Fastify's own line, logged inside listen(): the worker is starting, not yet serving.
      if (sent || !serve.output().includes('"msg":"Server listening at')) return;
      sent = true;
      serve.child.kill('SIGTERM');
    });
    const { code, output } = await finished(serve);
    expect(code, output).toBe(0);
    expect(output).toContain('"msg":"worker ready"');
    expect(output).toMatch(/"reason":"SIGTERM"[^\n]*"msg":"draining"/);
    expect(output).toContain('"msg":"drained"');
  }, START_MS);

  it('serve without a file serves the completion API with the bots of agents/bots.ts', async () => {
    gemini.script({ text: 'From the CLI server.' });
    const { child, output, exited } = spawnServe({ GOOGLE_API_KEY: 'fake-key', GOOGLE_GEMINI_BASE_URL: geminiUrl, WORKER_API_KEYS: 'cli-key' });
    try {
      await waitUntil(() => /"address":"http/.test(output()) || child.exitCode !== null, 'the server to listen', START_MS);
      const address = /"address":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(output())?.[1];
      expect(address, output()).toBeDefined();
      expect((await fetch(`${address}/health`)).status).toBe(200);
      const response = await fetch(`${address}/api/v1/conversation/complete`, {
        method: 'POST',
        headers: { authorization: 'Bearer cli-key', 'content-type': 'application/json' },
        body: JSON.stringify({ botId: 'support', messages: [{ type: 'user', text: 'How do I start the server?' }] }),
      });
      expect(await response.json()).toMatchObject({ text: 'From the CLI server.', end: { reason: 'stop' } });
      // The example bot from agents/bots.ts was loaded and its dataset ranked for the question.
      expect(JSON.stringify(gemini.requests.at(-1)!.body.systemInstruction)).toContain('npm run serve');
      child.kill('SIGTERM');
      await expect(exited).resolves.toBe(0);
      expect(output()).not.toContain('cli-key');
    } finally {
      child.kill('SIGKILL');
    }
  }, 2 * START_MS);

  it('dev: a saved change to the agent file replaces the agent in the same call; Ctrl-C exits 0', async () => {
    const callId = 'cli-dev-call';
    await project.write('dev-agent.ts', agentFile('You are the dev agent, version one.'));
    const dev = spawnCli(['dev', 'dev-agent.ts', '--call-id', callId, '--no-demo'], { cwd: project.dir, env: { ...env, LOG_LEVEL: 'info' } });
    try {
      await waitUntil(() => connectionsWith('version one').length > 0 && video.call(callId).session(AGENT_ID) !== undefined, 'the first agent in the call', START_MS);
      await waitUntil(() => dev.output().includes('the agent is in the call'), 'the first agent to report it joined', START_MS);
      await project.write('dev-agent.ts', agentFile('You are the dev agent, version two.'));
      await waitUntil(() => connectionsWith('version two').length > 0, 'a new agent with the changed instructions', START_MS);
      await waitUntil(
        () => video.call(callId).participants().filter((participant) => participant.userId === AGENT_ID).length === 1 && (dev.output().match(/the agent is in the call/g)?.length ?? 0) >= 2,
        'the new agent alone in the call',
        START_MS,
      );
      dev.child.kill('SIGINT');
      const { code, output } = await finished(dev);
      expect(code, output).toBe(0);
      expect(video.call(callId).session(AGENT_ID)).toBeUndefined();
    } finally {
      dev.child.kill('SIGKILL');
    }
  }, 3 * START_MS);
});
