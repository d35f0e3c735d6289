import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chaos, expectSafeUnderChaos } from '../chaos.js';
import { Sim } from './sim.js';

const seeds = fc.integer({ min: 1, max: 2 ** 31 - 1 });

describe('raft core under random faults (simulated)', () => {
  it('keeps election safety, committed entries and linearizable reads, and recovers after healing', () => {
    fc.assert(
      fc.property(
        seeds,
        fc.constantFrom(3, 5),
        fc.constantFrom('read-index', 'log', 'lease'),
        fc.double({ min: 0, max: 0.1, noNaN: true }),
        (seed, nodes, readMode, dropRate) => {
          // Leases are only sound with bounded clock drift, so no skew for them here.
          expectSafeUnderChaos(new Sim({ nodes, seed, readMode, dropRate }), { seed, durationMs: 8000, crashes: true, oneWay: true, skewMs: readMode === 'lease' ? 0 : 5000 });
        },
      ),
      { numRuns: 40 },
    );
  });

  const buggy: Array<[string, string, number]> = [
    ['stale-read', 'read-index', 0],
    ['commit-without-majority', 'read-index', 0],
    ['no-log-recovery', 'read-index', 0],
    ['', 'lease', 20_000],
  ];
  for (const [bug, readMode, skewMs] of buggy) {
    it(`finds violations with ${bug ? `bug ${bug}` : `read-mode ${readMode} under clock skew`}`, () => {
      const result = fc.check(
        fc.property(seeds, fc.constantFrom(3, 5), (seed, nodes) => {
          const sim = new Sim({ nodes, seed, readMode, bugs: bug ? [bug] : [], dropRate: 0.02 });
          const out = chaos(sim, { seed, durationMs: 10_000, crashes: bug !== 'stale-read' && skewMs === 0, oneWay: true, skewMs });
          return sim.violations.length === 0 && out.staleReads.length === 0;
        }),
        { numRuns: 60, endOnFailure: true },
      );
      expect(result.failed).toBe(true);
    });
  }
});
