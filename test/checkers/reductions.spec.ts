/**
 * The search's reductions (backjumping across keys, the lookahead, reset constraints, value
 * refutations, ...) on kv histories shaped like Porcupine's: each one, switched off alone or
 * with all the others, changes no verdict, per key or in one search over all keys.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { linearizable } from '../../checkers/linearizable/index.js';
import type { Op } from '../../src/api/op.js';
import { simulateKv } from './kv-history.js';
import { ALL_OFF } from './reductions.js';

/** Change what some gets returned: another get's value, a token dropped, or two tokens swapped. */
function mutateGets(h: readonly Op[], picks: readonly [number, number, number][]): Op[] {
  const out = h.map((o) => ({ ...o }));
  const gets = out.filter((o) => o.type === 'ok' && o.f === 'get');
  for (const [a, b, how] of picks) {
    if (gets.length === 0) break;
    const g = gets[a % gets.length]!;
    const tokens = String(g.value).match(/x \d+ \d+ y/g) ?? [];
    if (how === 0) g.value = gets[b % gets.length]!.value;
    else if (how === 1 && tokens.length > 0) g.value = tokens.filter((_, i) => i !== b % tokens.length).join('');
    else if (tokens.length > 1) {
      const i = b % (tokens.length - 1);
      [tokens[i], tokens[i + 1]] = [tokens[i + 1]!, tokens[i]!];
      g.value = tokens.join('');
    }
  }
  return out;
}

const ONE_OFF = ['backjump', 'lookahead', 'resetConstraints', 'valueRefutation', 'localRefutation', 'keyFocus', 'infoDominance'] as const;

describe('reductions on kv histories', () => {
  it('change no verdict, per key or in one search', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: 3, max: 6 }),
        fc.integer({ min: 2, max: 3 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 0, max: 2 })), { maxLength: 2 }),
        fc.constantFrom(...ONE_OFF),
        async (seed, clients, keys, picks, one) => {
          const h = mutateGets(simulateKv({ clients, keys, ops: 24, seed, hard: [0] }), picks);
          const perKey = await linearizable({ model: 'kv' }).check(h, {});
          const whole = await linearizable({ model: 'kv', partitionKeys: false }).check(h, {});
          const oneOff = await linearizable({ model: 'kv', partitionKeys: false, search: { [one]: false } }).check(h, {});
          const plain = await linearizable({ model: 'kv', partitionKeys: false, search: ALL_OFF }).check(h, {});
          expect(perKey.valid).toBe(plain.valid);
          expect(whole.valid).toBe(plain.valid);
          expect(oneOff.valid, `${one} off`).toBe(plain.valid);
          if (picks.length === 0) expect(plain.valid).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
