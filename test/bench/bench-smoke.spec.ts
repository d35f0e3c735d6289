/**
 * The benchmark's history generator produces what it promises: seeded, well-formed, and
 * linearizable per the checker, on one register and spread over keys. Correctness only; the
 * benchmark itself (`npm run bench`) measures time.
 */
import { describe, expect, it } from 'vitest';
import { generateRegisterHistory } from '../../bench/generated.js';
import { linearizable } from '../../checkers/linearizable/index.js';

describe('bench generator', () => {
  it.each([
    { keys: 1, processes: 5 },
    { keys: 4, processes: 12 },
  ])('makes a linearizable history ($processes processes, $keys keys)', async ({ keys, processes }) => {
    const history = generateRegisterHistory({ ops: 600, processes, keys, seed: 7, opsPerKey: 50, infoRate: 0.05 });
    expect(history.filter((o) => o.type === 'invoke')).toHaveLength(600);
    expect(history.some((o) => o.type === 'info')).toBe(true);
    expect(history.map((o) => o.index)).toEqual(history.map((_, i) => i));
    const result = await linearizable({ model: 'cas-register' }).check(history, {});
    expect(result.valid).toBe(true);
  });

  it('is the same for the same seed, and differs for another', () => {
    const a = generateRegisterHistory({ ops: 200, processes: 5, seed: 1 });
    expect(generateRegisterHistory({ ops: 200, processes: 5, seed: 1 })).toEqual(a);
    expect(generateRegisterHistory({ ops: 200, processes: 5, seed: 2 })).not.toEqual(a);
  });

  it('is caught when a read is altered', async () => {
    const history = generateRegisterHistory({ ops: 300, processes: 5, seed: 3, infoRate: 0 });
    const read = history.find((o) => o.type === 'ok' && o.f === 'read' && o.value !== null);
    expect(read).toBeDefined();
    (read as { value: unknown }).value = 99; // A value no write ever wrote.
    const result = await linearizable({ model: 'cas-register' }).check(history, {});
    expect(result.valid).toBe(false);
  });
});
