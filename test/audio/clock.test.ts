import { describe, expect, it } from 'vitest';
import { AudioPacer } from '../../src/audio/pacer.js';
import { GridClock } from '../../src/audio/clock.js';
import { ManualClock } from './manual-clock.js';

function gridOnManual(): { base: ManualClock; grid: GridClock } {
  const base = new ManualClock();
  return { base, grid: new GridClock(10, base) };
}

describe('GridClock', () => {
  it('runs every timer due on the same grid line from one underlying timer, in the order they were set', () => {
    const { base, grid } = gridOnManual();
    base.advance(3);
    const ran: Array<[string, number]> = [];
    grid.setTimeout(() => ran.push(['a', grid.now()]), 2); // due at 5 → the line at 10
    grid.setTimeout(() => ran.push(['b', grid.now()]), 7); // due at 10 exactly
    grid.setTimeout(() => ran.push(['c', grid.now()]), 9); // due at 12 → 20
    expect(base.pendingTimers).toBe(1);
    base.advance(30);
    expect(ran).toEqual([
      ['a', 10],
      ['b', 10],
      ['c', 20],
    ]);
    expect(base.pendingTimers).toBe(0);
  });

  it('aligns times up to the grid and never runs a timer before its line', () => {
    const { base, grid } = gridOnManual();
    expect(grid.align(0)).toBe(0);
    expect(grid.align(0.5)).toBe(10);
    expect(grid.align(20)).toBe(20);
    expect(grid.align(20 + 1e-9)).toBe(20); // floating-point noise is on the line
    let ran = false;
    grid.setTimeout(() => (ran = true), 15);
    base.advance(19.9);
    expect(ran).toBe(false);
    base.advance(0.1);
    expect(ran).toBe(true);
  });

  it('runs a timer asked for just after a line (the caller read the clock a moment before) at that line', () => {
    const { base, grid } = gridOnManual();
    base.advance(3);
    const ran: number[] = [];
    grid.setTimeout(() => ran.push(grid.now()), 10 - 3 + 0.05); // 10.05: at 10, not 20
    grid.setTimeout(() => ran.push(grid.now()), 20 - 3 + 1.5); // 21.5: past the tolerance, at 30
    base.advance(30);
    expect(ran).toEqual([10, 30]);
  });

  it('keeps a pacer on time when every reading of the clock takes a little time', () => {
    // Each reading moves time on by 5 µs, as real code between two readings does.
    class SlowReadingClock extends ManualClock {
      override now(): number {
        this.stall(0.005);
        return super.now();
      }
    }
    const base = new SlowReadingClock();
    const grid = new GridClock(10, base);
    base.advance(3);
    const pacer = new AudioPacer({ clock: grid, onFrame: () => {} });
    pacer.start();
    base.advance(1000);
    pacer.close();
    expect(pacer.stats.framesSent).toBeGreaterThanOrEqual(99);
    expect(pacer.stats.lateTicks).toBe(0);
    expect(pacer.stats.maxLateMs).toBeLessThan(1);
  });

  it('cancels a timer, also one due in the batch running now, and drops its underlying timer when none is left', () => {
    const { base, grid } = gridOnManual();
    const ran: string[] = [];
    const a = grid.setTimeout(() => ran.push('a'), 5);
    grid.clearTimeout(a);
    expect(base.pendingTimers).toBe(0);

    let c: unknown;
    grid.setTimeout(() => {
      ran.push('b');
      grid.clearTimeout(c);
    }, 5);
    c = grid.setTimeout(() => ran.push('c'), 5);
    base.advance(10);
    expect(ran).toEqual(['b']);
    grid.clearTimeout(c); // spent or cancelled handles are ignored
    expect(grid.pendingTimers).toBe(0);
  });

  it('runs a timer set while others run on a later turn, never in the same pass', () => {
    // A base clock whose timers fire only when the test says, one turn at a time.
    let now = 0;
    let turn: Array<() => void> = [];
    const base = {
      now: () => now,
      setTimeout: (callback: () => void) => turn.push(callback),
      clearTimeout: () => {},
    };
    const nextTurn = () => {
      const callbacks = turn;
      turn = [];
      for (const callback of callbacks) callback();
    };
    const grid = new GridClock(10, base);
    const ran: string[] = [];
    grid.setTimeout(() => {
      ran.push('first');
      grid.setTimeout(() => ran.push('second'), 0); // due now, but set during the pass
    }, 10);
    now = 10;
    nextTurn();
    expect(ran).toEqual(['first']);
    nextTurn();
    expect(ran).toEqual(['first', 'second']);
  });

  it('carries several pacers on one timer, their frames on the grid, each keeping its own schedule', () => {
    const { base, grid } = gridOnManual();
    base.advance(4);
    const sent: Array<[string, number]> = [];
    const pacers = ['a', 'b'].map(
      (name) => new AudioPacer({ clock: grid, onFrame: () => void sent.push([name, grid.now()]) }),
    );
    pacers[0]!.start();
    base.advance(13); // 17
    pacers[1]!.start();
    base.advance(23); // 40
    for (const pacer of pacers) pacer.close();
    expect(sent).toEqual([
      ['a', 10],
      ['a', 20],
      ['b', 20],
      ['a', 30],
      ['b', 30],
      ['a', 40],
      ['b', 40],
    ]);
    expect(base.pendingTimers).toBe(0);
    expect(pacers.every((pacer) => pacer.stats.lateTicks === 0 && pacer.stats.maxLateMs === 0)).toBe(true);
  });
});
