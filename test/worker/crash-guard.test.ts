/** Errors escaping an agent are logged and counted, and the process keeps running. */
import { pino } from 'pino';
import { afterEach, expect, it } from 'vitest';
import { WorkerMetrics } from '../../src/http/metrics.js';
import { installCrashGuard } from '../../src/worker/crash-guard.js';
import { waitUntil } from '../support/wait.js';

let uninstall: (() => void) | undefined;
afterEach(() => uninstall?.());

it('logs and counts unhandled rejections and uncaught exceptions instead of exiting', async () => {
  const lines: string[] = [];
  const logger = pino({ level: 'error' }, { write: (line: string) => lines.push(line) });
  const metrics = new WorkerMetrics({ defaultMetrics: false });
  uninstall = installCrashGuard(logger, metrics);

  void Promise.reject(new Error('an agent timer rejected'));
  await waitUntil(() => lines.length > 0, 'the unhandled rejection to be logged');
  // What Node does with an exception no frame caught (emitted directly: a real one would reach vitest too).
  const emit = process.emit.bind(process) as (event: string, ...args: unknown[]) => boolean;
  emit('uncaughtException', new Error('an agent socket threw'), 'uncaughtException');

  expect(await metrics.registry.getSingleMetricAsString('agents_errors_total')).toContain('agents_errors_total{source="unhandled"} 2');
  expect(lines.join('')).toContain('an agent timer rejected');
  expect(lines.join('')).toContain('an agent socket threw');
  uninstall();
  uninstall = undefined;
  expect(process.listeners('uncaughtException').some((listener) => listener.name === 'onException')).toBe(false);
});
