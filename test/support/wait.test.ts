import { describe, expect, it } from 'vitest';
import { waitFor, waitUntil } from './wait.js';

describe('waiting in tests', () => {
  it('resolves once the condition holds, sync or async', async () => {
    let checks = 0;
    await waitUntil(() => ++checks === 3, 'the third check');
    expect(checks).toBe(3);
    await waitUntil(async () => ++checks === 5, 'the fifth check');
    expect(checks).toBe(5);
  });

  it('gives the first value the probe finds', async () => {
    let checks = 0;
    await expect(waitFor(() => (++checks === 2 ? 'found' : undefined), 'a value')).resolves.toBe('found');
  });

  it('fails after the deadline, saying what it waited for and what it found then', async () => {
    await expect(waitUntil(() => false, 'the door to open', 30)).rejects.toThrow(
      'timed out after 30 ms waiting for the door to open',
    );
    let state = 'closed';
    const waiting = waitUntil(() => false, () => `the door to open (it is ${state})`, 30);
    state = 'locked';
    await expect(waiting).rejects.toThrow('waiting for the door to open (it is locked)');
  });
});
