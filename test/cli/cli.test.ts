/** `src/cli.ts serve` as an operator runs it: a child process, real env, SIGTERM to stop. */
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FakeGemini } from '../../testing/gemini/index.js';
import { spawnServe } from '../support/serve-process.js';

let fake: FakeGemini;
let geminiUrl: string;
beforeAll(async () => {
  fake = new FakeGemini();
  geminiUrl = await fake.start();
});
afterAll(() => fake.close());

async function listeningAddress(output: () => string, child: ChildProcess): Promise<string> {
  for (;;) {
    const match = /"address":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(output());
    if (match) return match[1]!;
    if (child.exitCode !== null) throw new Error(`serve exited early: ${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('cli serve', () => {
  test('listens, answers, and exits 0 on SIGTERM', async () => {
    fake.script({ text: 'From the CLI server.' });
    const { child, output, exited } = spawnServe({ GOOGLE_API_KEY: 'fake-key', GOOGLE_GEMINI_BASE_URL: geminiUrl, WORKER_API_KEYS: 'cli-key' });
    const address = await listeningAddress(output, child);
    expect((await fetch(`${address}/health`)).status).toBe(200);
    const response = await fetch(`${address}/api/v1/conversation/complete`, {
      method: 'POST',
      headers: { authorization: 'Bearer cli-key', 'content-type': 'application/json' },
      body: JSON.stringify({ botId: 'support', messages: [{ type: 'user', text: 'How do I start the server?' }] }),
    });
    expect(await response.json()).toMatchObject({ text: 'From the CLI server.', end: { reason: 'stop' } });
    // The example bot from agents/bots.ts was loaded and its dataset ranked for the question.
    expect(JSON.stringify(fake.requests.at(-1)!.body.systemInstruction)).toContain('npm run serve');
    child.kill('SIGTERM');
    await expect(exited).resolves.toBe(0);
    expect(output()).not.toContain('cli-key');
  });

  test('a missing Gemini key exits 1 naming GOOGLE_API_KEY', async () => {
    const { output, exited } = spawnServe({ WORKER_API_KEYS: 'cli-key' });
    await expect(exited).resolves.toBe(1);
    expect(output()).toContain('GOOGLE_API_KEY');
  });
});
