import { describe, expect, it } from 'vitest';
import { EventBus } from '../../src/core/event-bus.js';

interface Events {
  tick: { n: number };
  error: { error: Error; event?: string };
}

describe('EventBus', () => {
  it('delivers typed payloads to every listener and stops after unsubscribe', () => {
    const bus = new EventBus<Events>();
    const seen: number[] = [];
    const off = bus.on('tick', ({ n }) => void seen.push(n));
    bus.on('tick', ({ n }) => void seen.push(n * 10));
    bus.emit('tick', { n: 1 });
    off();
    bus.emit('tick', { n: 2 });
    expect(seen).toEqual([1, 10, 20]);
  });

  it('reports a throwing listener as an error event and still runs the others', () => {
    const bus = new EventBus<Events>();
    const errors: Array<{ message: string; event?: string }> = [];
    const seen: number[] = [];
    bus.on('error', ({ error, event }) => void errors.push({ message: error.message, event }));
    bus.on('tick', () => {
      throw new Error('boom');
    });
    bus.on('tick', ({ n }) => void seen.push(n));
    expect(() => bus.emit('tick', { n: 7 })).not.toThrow();
    expect(seen).toEqual([7]);
    expect(errors).toEqual([{ message: 'boom', event: 'tick' }]);
  });

  it('reports a rejected async listener as an error event', async () => {
    const bus = new EventBus<Events>();
    const error = bus.next('error');
    bus.on('tick', async () => {
      throw new Error('later');
    });
    bus.emit('tick', { n: 1 });
    await expect(error).resolves.toMatchObject({ event: 'tick', error: { message: 'later' } });
  });

  it('never loops when an error listener itself throws', () => {
    const unhandled: string[] = [];
    const bus = new EventBus<Events>({ onUnhandledError: (error, event) => void unhandled.push(`${event}:${error.message}`) });
    bus.on('error', () => {
      throw new Error('error listener broke');
    });
    bus.on('tick', () => {
      throw new Error('tick broke');
    });
    bus.emit('tick', { n: 1 });
    expect(unhandled).toEqual(['error:error listener broke']);
  });

  it('once and next resolve a single time; next honours an abort signal', async () => {
    const bus = new EventBus<Events>();
    let count = 0;
    bus.once('tick', () => void count++);
    bus.emit('tick', { n: 1 });
    bus.emit('tick', { n: 2 });
    expect(count).toBe(1);
    const next = bus.next('tick');
    bus.emit('tick', { n: 3 });
    await expect(next).resolves.toEqual({ n: 3 });
    const controller = new AbortController();
    const aborted = bus.next('tick', controller.signal);
    controller.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    expect(bus.listenerCount('tick')).toBe(0);
  });
});
