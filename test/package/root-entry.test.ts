/**
 * Importing the root entry loads no native add-on (wrtc, sharp) and no provider SDK: they load
 * on first use, so a program that only needs a Conversation or the tools stays small and quick
 * to start. Checked in a process of its own; the fixture also proves it sees what it looks for.
 */
import { describe, expect, it } from 'vitest';
import { describeRun, runScript } from '../support/child-script.js';

const DEADLINE_MS = 60_000;

async function importRoot(): Promise<{ nativeAddOns: string[]; providers: string[] }> {
  const run = await runScript('test/package/fixtures/import-root.ts', { deadlineMs: DEADLINE_MS });
  expect(run.code, describeRun(run)).toBe(0);
  return JSON.parse(run.output.trim().split('\n').at(-1)!) as { nativeAddOns: string[]; providers: string[] };
}

describe("the root entry 'stream-gemini-agents'", () => {
  it('loads no native add-on and no provider SDK', async () => {
    const { nativeAddOns, providers } = await importRoot();
    expect(nativeAddOns).toEqual([]);
    expect(providers).toEqual([]);
  }, DEADLINE_MS);
});
