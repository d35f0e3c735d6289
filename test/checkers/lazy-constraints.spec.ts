/**
 * Reset constraints are built only once a search slice ends undecided: a history the first
 * slice decides never pays for them, and a harder one is searched from then on exactly as with
 * constraints from the start. Either way the verdict is the one the search gives without them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile } from '../../checkers/linearizable/compile.js';
import { collectOps, partitionByKey } from '../../checkers/linearizable/entries.js';
import { casRegister, kvModel } from '../../checkers/linearizable/index.js';
import { KeySearch, type KeySearchOptions } from '../../checkers/linearizable/key-search.js';
import type { CheckerModel } from '../../checkers/linearizable/models.js';
import type { Op } from '../../src/api/op.js';
import { loseAppend, simulateKv } from './kv-history.js';
import { corruptReads, simulateRegister } from './sim-history.js';

/** Decide one key's operations with a KeySearch; its status and whether it built constraints. */
function decide(ops: Op[], model: CheckerModel<unknown>, key: string | undefined, opts: Partial<KeySearchOptions> = {}): { status: string; constrained: boolean; steps: number } {
  const all = collectOps(ops, model).ops;
  const mine = key === undefined ? all : partitionByKey(all).get(key)!;
  const s = new KeySearch(compile(mine, model), model, { maxBytes: 2 ** 30, ...opts });
  while (s.run(1 << 14) === 'running');
  return { status: s.result, constrained: s.constrained, steps: s.steps };
}

const register = casRegister as CheckerModel<unknown>;
const kv = kvModel as CheckerModel<unknown>;

describe('reset constraints, built lazily', () => {
  it('a small history decided in its first slice never builds them, broken or not', async () => {
    await fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.boolean(), (seed, broken) => {
        const ok = simulateRegister({ processes: 5, ops: 40, values: 3, infoRate: 0.05, seed });
        const h = broken ? corruptReads(ok, 1, seed, 3) : ok;
        const lazy = decide(h, register, undefined);
        const off = decide(h, register, undefined, { resetConstraints: false });
        expect(lazy.status).toBe(off.status);
        if (!broken) expect(lazy.status).toBe('linearizable');
        if (lazy.steps <= 4096) expect(lazy.constrained).toBe(false);
      }),
      { numRuns: 60 },
    );
  });

  it('a hard search builds them once its first slice ends undecided, and gets the known verdict', () => {
    // A Porcupine-shaped 50-client history in one search: key "0" runs long operations over
    // dozens of others; broken, key "5" lost an append.
    const ok = simulateKv({ clients: 50, keys: 10, ops: 2000, seed: 1, hard: [0] });
    for (const [h, verdict] of [[ok, 'linearizable'], [loseAppend(ok, '5'), 'illegal']] as const) {
      const lazy = decide(h, kv, undefined);
      expect(lazy.steps).toBeGreaterThan(4096);
      expect(lazy.constrained).toBe(true);
      // Linearizable by construction; broken by the lost append.
      expect(lazy.status).toBe(verdict);
    }
  });
});
