import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isNetworkError, isRetryableFailure, isRetryableStatus, retryAfterMs } from '../../src/core/retryable.js';

/** A port nothing listens on: taken from the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('the retryable-failure rule', () => {
  it('retries timeouts, rate limits and server errors, and nothing else with a status', () => {
    for (const status of [408, 429, 500, 502, 503, 504, 599]) expect(isRetryableStatus(status), String(status)).toBe(true);
    for (const status of [400, 401, 403, 404, 409, 413, 422]) expect(isRetryableStatus(status), String(status)).toBe(false);
  });

  it('counts a refused connection as a network failure, as fetch reports it', async () => {
    const failure = await fetch(`http://127.0.0.1:${await closedPort()}/`).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TypeError);
    expect(isNetworkError(failure)).toBe(true);
    expect(isRetryableFailure(failure, undefined)).toBe(true);
  });

  it('finds a socket error code or a timeout down the cause chain', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(isNetworkError(new Error('request failed', { cause: new Error('wrapped', { cause: reset }) }))).toBe(true);
    expect(isNetworkError(new Error('request failed', { cause: new DOMException('timed out', 'TimeoutError') }))).toBe(true);
  });

  it('does not retry a failure without a status that is not a network failure', () => {
    expect(isRetryableFailure(new SyntaxError('Unexpected token < in JSON'), undefined)).toBe(false);
    expect(isRetryableFailure(new Error('invalid argument'), undefined)).toBe(false);
    expect(isRetryableFailure('not an error', undefined)).toBe(false);
  });

  it('lets the status decide when there is one, whatever the error says', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(isRetryableFailure(reset, 400)).toBe(false);
    expect(isRetryableFailure(new Error('busy'), 503)).toBe(true);
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates, and ignores what it cannot read', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs('0.5')).toBe(500);
    const nowMs = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterMs('Wed, 01 Jan 2025 00:00:07 GMT', nowMs)).toBe(7000);
    expect(retryAfterMs('Tue, 31 Dec 2024 23:59:00 GMT', nowMs)).toBe(0);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('')).toBeUndefined();
  });
});
