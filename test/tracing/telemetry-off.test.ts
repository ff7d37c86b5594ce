/**
 * Tracing costs nothing unless asked for: the library's entry and a process without the
 * OpenTelemetry variables load only `@opentelemetry/api`, never the SDK or the exporter.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tracesRequested } from '../../src/telemetry/start-telemetry.js';

const run = promisify(execFile);

/** The OpenTelemetry packages a fresh process has loaded after running `code` (an ES module). */
async function openTelemetryPackagesAfter(code: string, env: Record<string, string> = {}): Promise<string[]> {
  const probe = `${code}
const { createRequire } = await import('node:module');
const loaded = Object.keys(createRequire(import.meta.url).cache).filter((path) => path.includes('/node_modules/@opentelemetry/'));
console.log(JSON.stringify([...new Set(loaded.map((path) => path.split('/node_modules/')[1].split('/').slice(0, 2).join('/')))]));`;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'silent', ...env },
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as string[];
}

describe('without the OpenTelemetry variables', () => {
  it('the library entry loads the API only', async () => {
    expect(await openTelemetryPackagesAfter("await import('./src/index.ts');")).toEqual(['@opentelemetry/api']);
  });

  it('starting telemetry does nothing and loads no SDK', async () => {
    const code = `const { startTelemetry } = await import('./src/telemetry/start-telemetry.ts');
const { createLogger } = await import('./src/core/logger.ts');
if ((await startTelemetry(createLogger('telemetry'))) !== undefined) throw new Error('telemetry started');`;
    expect(await openTelemetryPackagesAfter(code)).not.toContain('@opentelemetry/sdk-trace-node');
  });

  it('and with them, it does load the SDK', async () => {
    const code = `const { startTelemetry } = await import('./src/telemetry/start-telemetry.ts');
const { createLogger } = await import('./src/core/logger.ts');
await (await startTelemetry(createLogger('telemetry')))?.shutdown();`;
    expect(await openTelemetryPackagesAfter(code, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' })).toContain('@opentelemetry/sdk-trace-node');
  });
});

describe('tracesRequested', () => {
  it('follows the standard variables', () => {
    expect(tracesRequested({})).toBe(false);
    expect(tracesRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracesRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(tracesRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' })).toBe(false);
    expect(tracesRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
  });
});
