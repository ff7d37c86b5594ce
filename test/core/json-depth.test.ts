import { describe, expect, it } from 'vitest';
import { pathDeeperThan } from '../../src/core/json-depth.js';

describe('pathDeeperThan', () => {
  it('finds the first value past the bound, through objects and arrays', () => {
    const value = { a: 1, b: [{ c: 'x' }, { d: [[{}]] }] };
    // Levels: root 1, b 2, b[1] 3, d 4, d[0] 5, d[0][0] 6.
    expect(pathDeeperThan(value, 6)).toBeUndefined();
    expect(pathDeeperThan(value, 5)).toEqual(['b', 1, 'd', 0, 0]);
    expect(pathDeeperThan(value, 1)).toEqual(['b']);
  });

  it('counts no level for scalars, and copes with 100,000 levels', () => {
    expect(pathDeeperThan('text', 0)).toBeUndefined();
    expect(pathDeeperThan({ a: 'text' }, 1)).toBeUndefined();
    let deep: unknown = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(pathDeeperThan(deep, 64)).toHaveLength(64);
  });
});
