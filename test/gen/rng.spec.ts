import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '../../src/gen/rng.js';

describe('Rng', () => {
  it('repeats its sequence for a seed', () => {
    fc.assert(
      fc.property(fc.nat(), (seed) => {
        const a = new Rng(seed);
        const b = new Rng(seed);
        for (let i = 0; i < 20; i++) expect(a.nextU32()).toBe(b.nextU32());
      }),
    );
  });

  it('keeps int(n) in [0, n) and covers the range', () => {
    const rng = new Rng(7);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const v = rng.int(5);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(5);
      seen.add(v);
    }
    expect(seen.size).toBe(5);
  });

  it('derives different streams for different labels and equal ones for equal labels', () => {
    expect(Rng.derive(1, 'a').nextU32()).toBe(Rng.derive(1, 'a').nextU32());
    expect(Rng.derive(1, 'a').nextU32()).not.toBe(Rng.derive(1, 'b').nextU32());
    expect(Rng.derive(1, 'a').nextU32()).not.toBe(Rng.derive(2, 'a').nextU32());
  });

  it('shuffles into a permutation', () => {
    fc.assert(
      fc.property(fc.nat(), fc.array(fc.integer()), (seed, items) => {
        const out = new Rng(seed).shuffle(items);
        expect([...out].sort()).toEqual([...items].sort());
      }),
    );
  });
});
