import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chaos } from '../chaos.js';
import { PbSim } from './sim.js';

const seeds = fc.integer({ min: 1, max: 2 ** 31 - 1 });

describe('primary-backup core under random faults (simulated)', () => {
  it('keeps one primary per epoch, committed entries and linearizable reads, and recovers after healing', () => {
    fc.assert(
      fc.property(seeds, fc.constantFrom(3, 5), fc.constantFrom('read-index', 'log'), fc.double({ min: 0, max: 0.1, noNaN: true }), (seed, nodes, readMode, dropRate) => {
        const sim = new PbSim({ nodes, seed, readMode, dropRate });
        const out = chaos(sim, { seed, durationMs: 8000, crashes: true, oneWay: true, skewMs: 5000 });
        expect(sim.violations).toEqual([]);
        expect(out.staleReads).toEqual([]);
        sim.dropRate = 0;
        const leader = sim.stableLeader(5000);
        expect(sim.call(leader, { f: 'write', key: 'after', value: seed })).toEqual({ type: 'ok', value: seed });
      }),
      { numRuns: 40 },
    );
  });

  for (const bug of ['no-epoch-check', 'ack-before-persist']) {
    it(`finds violations with bug ${bug}`, () => {
      const result = fc.check(
        fc.property(seeds, fc.constantFrom(3, 5), (seed, nodes) => {
          const sim = new PbSim({ nodes, seed, bugs: [bug], dropRate: 0.02 });
          const out = chaos(sim, { seed, durationMs: 10_000, crashes: bug === 'ack-before-persist', oneWay: true });
          return sim.violations.length === 0 && out.staleReads.length === 0;
        }),
        { numRuns: 60, endOnFailure: true },
      );
      expect(result.failed).toBe(true);
    });
  }
});
