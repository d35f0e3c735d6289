import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { casRegister, linearizable } from '../../checkers/linearizable/index.js';
import type { Op } from '../../src/api/op.js';
import { readHistoryFile } from '../../src/history/formats/index.js';
import { execute, kvOp, mutateReads, registerOp } from './gen-history.js';
import { bruteForceLinearizable } from './oracle.js';
import { ALL_OFF } from './reductions.js';
import { corruptReads, simulateRegister } from './sim-history.js';

const BENCH = fileURLToPath(new URL('../../../shared/bench/', import.meta.url));

function verdictRows(folder: string): [string, string][] {
  const file = `${BENCH}${folder}/verdicts.tsv`;
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.split('\t').slice(0, 2) as [string, string]);
}

const expectedValid = (v: string): boolean => v === 'linearizable';

describe.each([
  { folder: 'porcupine-etcd', model: 'cas-register', partitionKeys: true },
  { folder: 'porcupine-kv', model: 'kv', partitionKeys: true },
  { folder: 'porcupine-kv', model: 'kv', partitionKeys: false },
  { folder: 'generated-register', model: 'cas-register', partitionKeys: true },
])('published verdicts: $folder ($model, partitionKeys $partitionKeys)', ({ folder, model, partitionKeys }) => {
  const rows = verdictRows(folder);
  it.skipIf(rows.length === 0).each(rows.length > 0 ? rows : [['(missing)', 'linearizable']])('%s is %s', async (file, verdict) => {
    const h = await readHistoryFile(`${BENCH}${folder}/${file}`);
    const r = await linearizable({ model, partitionKeys }).check(h.ops, { timeoutMs: 30_000 });
    expect(r.valid).toBe(expectedValid(verdict));
    if (r.valid === false) {
      expect(r.anomalies?.[0]?.kind).toBe('nonlinearizable');
      expect(r.anomalies?.[0]?.ops.length).toBeGreaterThan(0);
      // The failing window, plus a stale read and the write that overwrote its value when the key has one.
      expect(r.anomalies?.[0]?.ops.length).toBeLessThanOrEqual(2 * 14);
    }
  });
});

/** Build a history from [process, type, f, value] rows (index = time = position). */
function hist(rows: [number | 'nemesis', Op['type'], string, unknown, string?][]): Op[] {
  return rows.map(([process, type, f, value, key], index) => {
    const op: Op = { index, time: index, type, process, f, value };
    if (key !== undefined) op.key = key;
    return op;
  });
}

describe('verdicts on hand-built histories', () => {
  const check = (h: Op[], model = 'cas-register', partitionKeys = true) => linearizable({ model, partitionKeys }).check(h, {});

  it('explains a stale read: the read and the write it missed', async () => {
    const h = hist([
      [0, 'invoke', 'write', 1],
      [0, 'ok', 'write', 1],
      [1, 'invoke', 'write', 2],
      [1, 'ok', 'write', 2],
      [2, 'invoke', 'read', null],
      [2, 'ok', 'read', 1],
    ]);
    // Refuted by values before any search, and by the search alone: both name the same evidence.
    for (const search of [{}, { valueRefutation: false }]) {
      const r = await linearizable({ model: 'cas-register', search }).check(h, {});
      expect(r.valid).toBe(false);
      const idx = r.anomalies![0]!.ops.map((o) => o.index);
      expect(idx).toEqual(expect.arrayContaining([2, 3, 4, 5]));
      expect(r.anomalies![0]!.explanation).toMatch(/process 2 read → 1/);
      expect(r.anomalies![0]!.explanation).toMatch(/process 1 write 2/);
      // It leads with the two operations a person points at: the read, and the write that overwrote its value.
      expect(r.anomalies![0]!.explanation.split('\n')[0]).toMatch(/^Stale read: process 2 read → 1 \[ops #4\.\.#5\] returned 1, which process 1 write 2 \[ops #2\.\.#3\] had already overwritten/);
      expect(r.anomalies![0]!.summary).toBe("stale read: process 2 read 1 after process 1's write of 2 had replaced it");
      expect(r.anomalies![0]!.explanation.split('\n').length).toBeLessThanOrEqual(5);
    }
  });

  it('names the concurrent operations and the states they allow', async () => {
    const h = hist([
      [0, 'invoke', 'write', 4],
      [0, 'ok', 'write', 4],
      [0, 'invoke', 'write', 1],
      [0, 'ok', 'write', 1],
      [1, 'invoke', 'write', 2],
      [2, 'invoke', 'write', 3],
      [3, 'invoke', 'read', null],
      [1, 'ok', 'write', 2],
      [2, 'ok', 'write', 3],
      [3, 'ok', 'read', 4],
    ]);
    const r = await check(h);
    expect(r.valid).toBe(false);
    expect(r.anomalies![0]!.explanation).toMatch(/2 operations concurrent/);
    expect(r.anomalies![0]!.ops.map((o) => o.index)).toEqual(expect.arrayContaining([4, 5, 6, 7, 8, 9]));
  });

  it('accepts an unknown write that may have happened, and one that may not have', async () => {
    const took = hist([
      [0, 'invoke', 'write', 1],
      [0, 'info', 'write', null],
      [1, 'invoke', 'read', null],
      [1, 'ok', 'read', 1],
      [2, 'invoke', 'read', null],
      [2, 'ok', 'read', null],
    ]);
    // read 1 then read nil: the write took effect before the first read, so nil is stale.
    expect((await check(took)).valid).toBe(false);
    const never = hist([
      [0, 'invoke', 'write', 1],
      [1, 'invoke', 'read', null],
      [1, 'ok', 'read', null],
    ]);
    expect((await check(never)).valid).toBe(true);
  });

  it('ignores nemesis ops and failed ops', async () => {
    const h = hist([
      ['nemesis', 'invoke', 'start-partition', null],
      [0, 'invoke', 'write', 1],
      [0, 'fail', 'write', 1],
      ['nemesis', 'info', 'start-partition', null],
      [1, 'invoke', 'read', null],
      [1, 'ok', 'read', null],
    ]);
    const r = await check(h);
    expect(r.valid).toBe(true);
    expect(r.stats?.['ops']).toBe(1);
  });

  it('keeps identical writes apart when only the later one can follow a third write', async () => {
    // A = write 1 [0..3], B = write 1 [1..9], C = write 2 [4..5], D = read → 1 [6..8]:
    // only A, C, B, D works, so B must not be linearized in A's place.
    const h = hist([
      [0, 'invoke', 'write', 1],
      [1, 'invoke', 'write', 1],
      [0, 'ok', 'write', 1],
      [2, 'invoke', 'write', 2],
      [2, 'ok', 'write', 2],
      [3, 'invoke', 'read', null],
      [3, 'ok', 'read', 1],
      [1, 'ok', 'write', 1],
    ]);
    expect((await check(h)).valid).toBe(true);
  });

  it('treats an op left open by a reused process as unknown', async () => {
    const h = hist([
      [0, 'invoke', 'write', 1],
      [0, 'invoke', 'read', null],
      [0, 'ok', 'read', 1],
    ]);
    expect((await check(h)).valid).toBe(true);
  });

  it('checks keys independently and reports the first failing key', async () => {
    const h = hist([
      [0, 'invoke', 'write', 1, 'a'],
      [0, 'ok', 'write', 1, 'a'],
      [1, 'invoke', 'read', null, 'b'],
      [1, 'ok', 'read', 1, 'b'],
      [2, 'invoke', 'read', null, 'a'],
      [2, 'ok', 'read', 1, 'a'],
    ]);
    const r = await check(h);
    expect(r.valid).toBe(false);
    expect(r.anomalies![0]!.key).toBe('b');
    expect(r.details).toMatchObject({ a: { valid: true }, b: { valid: false } });
    const whole = await check(h, 'cas-register', false);
    expect(whole.valid).toBe(false);
  });
});

/** n writes of distinct values, all concurrent with a read of a value nobody wrote. */
function hardHistory(n: number): Op[] {
  const rows: [number, Op['type'], string, unknown][] = [];
  for (let p = 0; p < n; p++) rows.push([p, 'invoke', 'write', p]);
  rows.push([n, 'invoke', 'read', null]);
  for (let p = 0; p < n; p++) rows.push([p, 'ok', 'write', p]);
  rows.push([n, 'ok', 'read', 999]);
  return hist(rows);
}

describe('giving up', () => {
  // The refutations and the lookahead would see through the read of a value nobody wrote at
  // once: plain WGL keeps the history hard.
  const slow = ALL_OFF;

  it('returns unknown, never true, when the time runs out', async () => {
    const r = await linearizable({ model: 'cas-register', search: slow }).check(hardHistory(24), { timeoutMs: 30 });
    expect(r.valid).toBe('unknown');
    expect(r.summary).toMatch(/timed out/);
  });

  it('returns unknown when the signal is aborted', async () => {
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 20);
    const r = await linearizable({ model: 'cas-register', search: slow }).check(hardHistory(24), { signal: ctl.signal });
    expect(r.valid).toBe('unknown');
    expect(r.summary).toMatch(/aborted/);
  });

  it('returns unknown when the search tables pass their bound', async () => {
    const r = await linearizable({ model: 'cas-register', search: { ...slow, maxBytes: 2 ** 20 } }).check(hardHistory(24), {});
    expect(r.valid).toBe('unknown');
    expect(r.summary).toMatch(/search tables passed/);
  });
});

describe('properties', () => {
  it('histories executed against a sequential register are linearizable', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(registerOp(4, 2, 3000), { minLength: 1, maxLength: 120 }), fc.boolean(), async (plan, pk) => {
        const h = execute(plan);
        const r = await linearizable({ model: 'cas-register', partitionKeys: pk }).check(h, {});
        expect(r.valid).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('histories executed against a sequential kv store are linearizable', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(kvOp(3, 2000), { minLength: 1, maxLength: 80 }), fc.boolean(), async (plan, pk) => {
        const r = await linearizable({ model: 'kv', partitionKeys: pk }).check(execute(plan), {});
        expect(r.valid).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it.each([
    { values: 3, span: 300 },
    { values: 2, span: 150 },
  ])('small register histories agree with a brute-force oracle ($values values)', async ({ values: nv, span }) => {
    const values = [null, 0, 1, 2];
    await fc.assert(
      fc.asyncProperty(
        fc.array(registerOp(nv, 1, span), { minLength: 1, maxLength: 7 }),
        fc.array(fc.nat(), { maxLength: 2 }),
        fc.array(fc.constantFrom(...values), { minLength: 1, maxLength: 2 }),
        async (plan, picks, vals) => {
          const h = mutateReads(execute(plan), picks, vals);
          const expected = bruteForceLinearizable(casRegister, h);
          const r = await linearizable({ model: 'cas-register' }).check(h, {});
          expect(r.valid).toBe(expected);
          if (!expected) expect(r.anomalies?.[0]).toBeDefined();
        },
      ),
      { numRuns: 600 },
    );
  });

  it('every reduction can be switched off without changing a verdict', async () => {
    const off = ALL_OFF;
    await fc.assert(
      fc.asyncProperty(
        fc.array(registerOp(2, 2, 400), { minLength: 1, maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 3 }),
        fc.array(fc.constantFrom(null, 0, 1, 2), { minLength: 1, maxLength: 3 }),
        async (plan, picks, vals) => {
          const h = mutateReads(execute(plan), picks, vals);
          const all = await linearizable({ model: 'cas-register', partitionKeys: false }).check(h, {});
          const none = await linearizable({ model: 'cas-register', partitionKeys: false, search: off }).check(h, {});
          const perKey = await linearizable({ model: 'cas-register' }).check(h, {});
          expect(none.valid).toBe(all.valid);
          expect(perKey.valid).toBe(all.valid);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('simulated client histories: the reductions change no verdict', async () => {
    const off = { ...ALL_OFF, keyFocus: true };
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 5 }),
        fc.integer({ min: 2, max: 4 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: 0, max: 2 }),
        async (processes, values, seed, corrupt) => {
          const h = corruptReads(simulateRegister({ processes, ops: 40, values, infoRate: 0.2, seed }), corrupt, seed, values);
          const all = await linearizable({ model: 'cas-register' }).check(h, {});
          const none = await linearizable({ model: 'cas-register', search: off }).check(h, {});
          expect(all.valid).toBe(none.valid);
          if (corrupt === 0) expect(all.valid).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('kv: one search over all keys agrees with per-key searches', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(kvOp(3, 600), { minLength: 1, maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 3 }),
        fc.array(fc.constantFrom('', 'a', 'ab', 'b'), { minLength: 1, maxLength: 3 }),
        async (plan, picks, vals) => {
          const h = mutateReads(execute(plan), picks, vals);
          const perKey = await linearizable({ model: 'kv' }).check(h, {});
          const whole = await linearizable({ model: 'kv', partitionKeys: false }).check(h, {});
          const plain = await linearizable({
            model: 'kv',
            partitionKeys: false,
            search: { readForcing: false, symmetry: false, keyFocus: false },
          }).check(h, {});
          expect(whole.valid).toBe(perKey.valid);
          expect(plain.valid).toBe(perKey.valid);
        },
      ),
      { numRuns: 200 },
    );
  });
});
