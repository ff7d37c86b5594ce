/**
 * Clients that stop reading a streamed completion must not hold the server: against the real
 * `serve` process and a model that never stops talking, the deadline ends such a request and
 * closes its socket, and a socket that takes nothing for COMPLETE_WRITE_TIMEOUT_MS is closed
 * even before the deadline. Either way the model call is stopped.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { FakeGemini } from '../../testing/gemini/index.js';
import { waitUntil } from '../support/wait.js';
import { spawnWorker, type WorkerProcess } from '../worker/worker-process.js';

const KEY = 'slow-reader-key';
const CLIENTS = 3;

let fake: FakeGemini;
let geminiUrl: string;
const sockets: Socket[] = [];
const nodes: WorkerProcess[] = [];

beforeAll(async () => {
  fake = new FakeGemini();
  geminiUrl = await fake.start();
  // A model that streams 8 KB of text every millisecond until its client goes away.
  fake.script({ text: 'Here goes.', endless: 'blah '.repeat(1_600) });
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(nodes.splice(0).map((node) => node.stop()));
});

afterAll(() => fake.close());

function serve(env: Record<string, string>): Promise<WorkerProcess> {
  return spawnWorker({ GOOGLE_API_KEY: 'fake-gemini-key', GOOGLE_GEMINI_BASE_URL: geminiUrl, WORKER_API_KEYS: KEY, ...env }, KEY).then((node) => {
    nodes.push(node);
    return node;
  });
}

/** Sends a streaming completion request and never reads a byte of the answer. */
function requestWithoutReading(baseUrl: string): Socket {
  const { hostname, port } = new URL(baseUrl);
  const body = JSON.stringify({ backstory: 'Talk forever.', messages: [{ type: 'user', text: 'Go on.' }] });
  const socket = connect(Number(port), hostname);
  socket.pause();
  socket.write(
    [
      'POST /api/v1/conversation/complete HTTP/1.1',
      `Host: ${hostname}:${port}`,
      `Authorization: Bearer ${KEY}`,
      'Content-Type: application/json',
      'Accept: text/event-stream',
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n'),
  );
  sockets.push(socket);
  return socket;
}

const logLines = (node: WorkerProcess, message: string) => node.output().split('\n').filter((line) => line.includes(`"msg":"${message}"`));

describe('a client that stops reading', () => {
  test('is cut off at the deadline: the request ends, the model call stops', async () => {
    const node = await serve({ COMPLETE_TIMEOUT_MS: '4000', COMPLETE_WRITE_TIMEOUT_MS: '600000' });
    for (let i = 0; i < CLIENTS; i++) requestWithoutReading(node.baseUrl);
    await fake.waitFor(() => fake.openStreams === CLIENTS, 20_000);
    await waitUntil(() => logLines(node, 'completion finished').length === CLIENTS, () => `every completion to finish (${logLines(node, 'completion finished').length} of ${CLIENTS})`, 60_000);
    for (const line of logLines(node, 'completion finished')) expect(JSON.parse(line)).toMatchObject({ endReason: 'abort', deadlineReached: true });
    await fake.waitFor(() => fake.openStreams === 0, 20_000);
    // The node serves others meanwhile and afterwards.
    expect((await node.request('GET', '/health', { key: null })).status).toBe(200);
  }, 120_000);

  test('is cut off when its socket takes nothing for the write timeout, long before the deadline', async () => {
    const node = await serve({ COMPLETE_WRITE_TIMEOUT_MS: '1000' });
    for (let i = 0; i < CLIENTS; i++) requestWithoutReading(node.baseUrl);
    await waitUntil(
      () => logLines(node, 'closed a response the client stopped reading').length === CLIENTS,
      () => `every stalled response to be closed (${logLines(node, 'closed a response the client stopped reading').length} of ${CLIENTS})`,
      60_000,
    );
    await waitUntil(() => logLines(node, 'completion finished').length === CLIENTS, () => `every completion to finish (${logLines(node, 'completion finished').length} of ${CLIENTS})`, 30_000);
    for (const line of logLines(node, 'completion finished')) expect(JSON.parse(line)).toMatchObject({ disconnected: true, deadlineReached: false });
    await fake.waitFor(() => fake.openStreams === 0, 20_000);
  }, 120_000);
});
