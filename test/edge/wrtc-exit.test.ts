/**
 * A process that used wrtc ends by itself: at a natural exit, Node's environment teardown runs
 * wrtc's finalizers in an order that crashes (see src/edge/stream/wrtc-exit.ts), so once wrtc is
 * loaded the library ends the process the way process.exit() does, after every 'exit' listener.
 * These processes are run for real; without the guard the first one dies of SIGSEGV every time.
 */
import { describe, expect, it } from 'vitest';
import { describeRun, runScript } from '../support/child-script.js';

const SCRIPT = 'test/edge/fixtures/wrtc-exit.ts';
// Node, tsx and the add-on start in well under a second when idle; a busy machine gets room.
const DEADLINE_MS = 60_000;

const run = (how: string) => runScript(SCRIPT, { args: [how], deadlineMs: DEADLINE_MS });

describe('a process that loaded wrtc', () => {
  it('exits by itself with 0, after its exit listeners ran', async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const result = await run('natural');
      expect(result.code, describeRun(result)).toBe(0);
      expect(result.output).toContain('exit listener ran with code 0');
    }
  }, 3 * DEADLINE_MS);

  it('keeps the exit code the program set', async () => {
    const result = await run('exit-code');
    expect(result.code, describeRun(result)).toBe(3);
    expect(result.output).toContain('exit listener ran with code 3');
  }, DEADLINE_MS);

  it('still reports an uncaught exception, and exits with 1', async () => {
    const result = await run('uncaught');
    expect(result.code, describeRun(result)).toBe(1);
    expect(result.output).toContain('Error: an uncaught failure');
    expect(result.output).toContain('exit listener ran with code 1');
  }, DEADLINE_MS);

  it('ends normally after an exception a handler dealt with', async () => {
    const result = await run('handled');
    expect(result.code, describeRun(result)).toBe(0);
    expect(result.output).toContain('handled: a handled failure');
    expect(result.output).toContain('exit listener ran with code 0');
  }, DEADLINE_MS);

  it("lets work scheduled from 'beforeExit' run before it ends", async () => {
    const result = await run('later-work');
    expect(result.code, describeRun(result)).toBe(0);
    expect(result.output.indexOf('work after beforeExit')).toBeGreaterThanOrEqual(0);
    expect(result.output.indexOf('work after beforeExit')).toBeLessThan(result.output.indexOf('exit listener ran'));
  }, DEADLINE_MS);
});
