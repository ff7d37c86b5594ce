import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonlFileConversation } from '../../src/conversation/index.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('JsonlFileConversation (a custom store implementing only persist)', () => {
  it('appends each persisted state, in order, ending with the final text', async () => {
    dir = await mkdtemp(join(tmpdir(), 'conversation-'));
    const path = join(dir, 'call.jsonl');
    const conversation = new JsonlFileConversation(path, { minUpdateIntervalMs: 10_000 });
    conversation.send('user', 'alice', 'What time is it?');
    for (const [contentIndex, content] of ['It ', 'is ', 'noon.'].entries()) {
      conversation.upsert({ id: 'a1', role: 'assistant', userId: 'agent', content, contentIndex });
    }
    conversation.upsert({ id: 'a1', role: 'assistant', userId: 'agent', content: '', completed: true });
    await conversation.close();
    const lines = (await readFile(path, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ role: 'user', userId: 'alice', content: 'What time is it?', final: true });
    const finals = lines.filter((line) => line.final === true);
    expect(finals.map((line) => line.content)).toEqual(['What time is it?', 'It is noon.']);
    // The throttle coalesced the streaming deltas: far fewer lines than changes.
    expect(lines.length).toBeLessThanOrEqual(3);
    expect(typeof lines[0]!.timestamp).toBe('string');
  });
});
