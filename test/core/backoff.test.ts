import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../src/core/backoff.js';

describe('backoffDelayMs', () => {
  const options = { initialDelayMs: 100, maxDelayMs: 1000 };

  it('doubles the step at every retry, half of it fixed and half random', () => {
    expect(backoffDelayMs(0, options, () => 0)).toBe(50);
    expect(backoffDelayMs(0, options, () => 1)).toBe(100);
    expect(backoffDelayMs(1, options, () => 1)).toBe(200);
    expect(backoffDelayMs(2, options, () => 0.5)).toBe(300);
  });

  it('never goes past the longest pause, nor below half of it', () => {
    expect(backoffDelayMs(10, options, () => 1)).toBe(1000);
    expect(backoffDelayMs(10, options, () => 0)).toBe(500);
    expect(backoffDelayMs(1_000, options, () => 1)).toBe(1000);
  });

  it('gives whole milliseconds', () => {
    expect(Number.isInteger(backoffDelayMs(0, { initialDelayMs: 3, maxDelayMs: 3 }, () => 0.3))).toBe(true);
  });
});
