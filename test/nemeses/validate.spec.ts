/**
 * Every nemesis checks its own schedule entries before a run (NemesisDef.validate): what its own
 * schedule and its draws make passes on the cluster it was made for; the same entry on a cluster
 * without one of the nodes it names, or with a value of the wrong shape, is refused with a
 * reason, whatever the nemesis. A schedule file is data anyone can edit, so this is the class
 * of defect, tested for every nemesis, not one example.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NemesisDef, ScheduleEntry } from '../../src/api/nemesis.js';
import { Rng } from '../../src/gen/rng.js';
import { nemeses } from '../../src/registry.js';
import { nodeNames } from '../../src/runner/node-names.js';

const defs = Object.values(nemeses);

/** The entries `def` makes for `n` nodes: its schedule, and its draws. */
function entriesOf(def: NemesisDef, n: number, seed: number): ScheduleEntry[] {
  const nodes = nodeNames(n);
  const entries = def.schedule({ nodes, durationMs: 60_000, intervalMs: 2_000, rng: Rng.derive(seed, def.name) });
  const drawn = def.drawStart?.(nodes, Rng.derive(seed, `draw-${def.name}`));
  return drawn === undefined ? entries : [...entries, { atMs: 0, f: `start-${def.name}`, value: drawn }];
}

/** Every string in `value` equal to `from`, replaced by `to` (keys included). */
function rename(value: unknown, from: string, to: string): unknown {
  if (value === from) return to;
  if (Array.isArray(value)) return value.map((v) => rename(v, from, to));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k === from ? to : k, rename(v, from, to)]));
  }
  return value;
}

/** Whether `value` mentions `node`, as a string or a key. */
function mentions(value: unknown, node: string): boolean {
  return JSON.stringify(rename(value, node, '\u0000')) !== JSON.stringify(value);
}

describe.each(defs.map((def) => [def.name, def] as const))('%s validates its entries', (_, def) => {
  it('has a validate hook', () => {
    expect(typeof def.validate).toBe('function');
  });

  it('accepts what it makes itself', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.nat(), (n, seed) => {
        for (const entry of entriesOf(def, n, seed)) def.validate!(entry, nodeNames(n));
      }),
      { numRuns: 40 },
    );
  });

  it('refuses an entry that names a node the cluster does not have', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 9 }), fc.nat(), fc.nat(), (n, seed, pick) => {
        const nodes = nodeNames(n);
        for (const entry of entriesOf(def, n, seed)) {
          const named = nodes.filter((node) => mentions(entry.value, node));
          if (named.length === 0) continue;
          const gone = named[pick % named.length]!;
          // The same entry on a cluster without that node; and with the node renamed to n42.
          expect(() => def.validate!(entry, nodes.filter((node) => node !== gone)), JSON.stringify(entry)).toThrow(/.+/);
          expect(() => def.validate!({ ...entry, value: rename(entry.value, gone, 'n42') }, nodes), JSON.stringify(entry)).toThrow(/n42|needs/);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('refuses a start value of the wrong shape', () => {
    const wrong = fc.oneof(fc.constant(null), fc.constant(undefined), fc.integer(), fc.string(), fc.constant({}), fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }), fc.constant({ nodes: 'n1' }));
    fc.assert(
      fc.property(wrong, (value) => {
        expect(() => def.validate!({ f: `start-${def.name}`, value }, nodeNames(5))).toThrow(/.+/);
      }),
      { numRuns: 60 },
    );
  });
});
