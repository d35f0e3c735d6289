/**
 * Many keys, one of them hard: the check is fair to every key, ends at the first key found not
 * linearizable and says which keys it left undecided and why; hard keys spread over the cores
 * without changing a verdict; and memory is bounded everywhere, a worker that runs out of it
 * costing its key's verdict (unknown), never the process. Correctness only: where a test needs
 * the checker to give up, it gives a budget, never a time.
 */
import { describe, expect, it } from 'vitest';
import { generateRegisterHistory } from '../../bench/generated.js';
import { compile } from '../../checkers/linearizable/compile.js';
import { collectOps } from '../../checkers/linearizable/entries.js';
import { casRegister, linearizable } from '../../checkers/linearizable/index.js';
import type { JobRequest } from '../../checkers/linearizable/job.js';
import { buildLayout } from '../../checkers/linearizable/layout.js';
import { WorkerPool } from '../../checkers/linearizable/pool.js';
import type { Op } from '../../src/api/op.js';
import { loseAppend, simulateKv } from './kv-history.js';
import { ALL_OFF } from './reductions.js';

/** Histories side by side: each under its own key and processes, in time order, the first starting first. */
function merge(parts: { key: string; ops: readonly Op[] }[]): Op[] {
  const all = parts.flatMap(({ key, ops }, k) =>
    ops.map((o) => ({ ...o, key, time: o.time * 10 + k, process: typeof o.process === 'number' ? o.process + 10_000 * k : o.process })),
  );
  all.sort((a, b) => a.time - b.time);
  return all.map((o, index) => ({ ...o, index }));
}

/** A stale read appended to a history: write 1, write 2, then read 1. */
function stale(): Op[] {
  const rows: [number, Op['type'], string, unknown][] = [
    [0, 'invoke', 'write', 1],
    [0, 'ok', 'write', 1],
    [1, 'invoke', 'write', 2],
    [1, 'ok', 'write', 2],
    [2, 'invoke', 'read', null],
    [2, 'ok', 'read', 1],
  ];
  return rows.map(([process, type, f, value], i) => ({ index: i, time: 1000 + i, type, process, f, value }));
}

/**
 * n writes of distinct values around a read of a value nobody wrote: with every reduction off,
 * the search must visit every subset of the writes before it can say no.
 */
function subsetHard(n: number): Op[] {
  const rows: Op[] = [];
  for (let p = 0; p < n; p++) rows.push({ index: 0, time: 0, type: 'invoke', process: p, f: 'write', value: p });
  rows.push({ index: 0, time: 0, type: 'invoke', process: n, f: 'read', value: null });
  for (let p = 0; p < n; p++) rows.push({ index: 0, time: 0, type: 'ok', process: p, f: 'write', value: p });
  rows.push({ index: 0, time: 0, type: 'ok', process: n, f: 'read', value: 999 });
  return rows.map((o, i) => ({ ...o, index: i, time: i }));
}

describe('many keys, one of them hard', () => {
  it('the check ends at the first key found not linearizable, and says which keys it left unchecked and why', async () => {
    // The hard key comes first and needs far more steps than a first round gives any key.
    const hard = generateRegisterHistory({ ops: 20_000, processes: 20, seed: 5 });
    const easy = generateRegisterHistory({ ops: 400, processes: 5, keys: 4, seed: 6, opsPerKey: 100 });
    const h = merge([
      { key: 'hard', ops: hard },
      { key: 'bad', ops: stale() },
      ...[0, 1, 2].map((k) => ({ key: `easy${k}`, ops: easy.filter((o) => o.key === String(k)) })),
    ]);
    const r = await linearizable({ model: 'cas-register' }).check(h, {});
    expect(r.valid).toBe(false);
    expect(r.anomalies?.[0]?.key).toBe('bad');
    const details = r.details as Record<string, { valid: unknown; reason?: string }>;
    expect(details['hard']).toMatchObject({ valid: 'unknown', reason: 'not checked: key bad was found not linearizable first' });
    expect(r.summary).toMatch(/not linearizable \(key bad; \d+ other keys? left unchecked once it was found\)/);
  });

  it('a key too hard for its share stays undecided, says why, and every other key is still decided', async () => {
    // The hard key comes first; with every reduction off it passes its memory share, while the
    // keys after it must each get their own share and their verdict, on one thread or two.
    const easy = generateRegisterHistory({ ops: 400, processes: 5, keys: 4, seed: 7, opsPerKey: 100 });
    const h = merge([{ key: 'hard', ops: subsetHard(26) }, ...[0, 1, 2, 3].map((k) => ({ key: `easy${k}`, ops: easy.filter((o) => o.key === String(k)) }))]);
    for (const threads of [1, 2]) {
      // A small bound on each key's tables, so the hard key gives up soon.
      const r = await linearizable({ model: 'cas-register', search: { ...ALL_OFF, maxBytes: 4 * 2 ** 20 }, threads, mainThreadMs: 0 }).check(h, {});
      expect(r.valid, `threads ${threads}`).toBe('unknown');
      const details = r.details as Record<string, { valid: unknown; reason?: string }>;
      expect(details['hard']?.reason, `threads ${threads}`).toMatch(/memory budget|heap/);
      for (const k of [0, 1, 2, 3]) expect(details[`easy${k}`]?.valid, `easy${k}, threads ${threads}`).toBe(true);
      expect(r.summary).toMatch(/unknown, 1 of 5 keys undecided: key hard: .*(memory budget|heap)/);
    }
  }, 300_000);

  it.each([1, 2, 3])('Porcupine-shaped kv histories (seed %i): right per key and in one search, broken or not', async (seed) => {
    const ok = simulateKv({ clients: 50, keys: 10, ops: 2000, seed, hard: [0] });
    const bad = loseAppend(ok, '5');
    // Generous budgets that the search never needs; without decomposition, plain WGL needs far more.
    const opts = { timeoutMs: 300_000, maxMemoryBytes: 2 ** 30 };
    for (const partitionKeys of [true, false]) {
      const good = await linearizable({ model: 'kv', partitionKeys }).check(ok, opts);
      expect(good.valid, `ok, partitionKeys ${partitionKeys}`).toBe(true);
      const broken = await linearizable({ model: 'kv', partitionKeys }).check(bad, opts);
      expect(broken.valid, `bad, partitionKeys ${partitionKeys}`).toBe(false);
      expect(broken.anomalies?.[0]?.key).toBe('5');
      // The value refutations are not needed: the search alone refutes it too.
      const search = await linearizable({ model: 'kv', partitionKeys, search: { valueRefutation: false } }).check(bad, opts);
      expect(search.valid, `bad, search only, partitionKeys ${partitionKeys}`).toBe(false);
    }
  });
});

describe('hard keys over the cores', () => {
  const keys = [0, 1, 2, 3].map((k) => ({ key: `r${k}`, ops: generateRegisterHistory({ ops: 3000, processes: 20, seed: 10 + k }) }));

  it('spread over this thread and a worker, they get the verdicts they get on one thread', async () => {
    const h = merge(keys);
    const spread = await linearizable({ model: 'cas-register', threads: 2, mainThreadMs: 0 }).check(h, {});
    expect(spread.stats?.['threads']).toBe(2);
    expect(spread.valid).toBe(true);
    const broken = merge(keys.map((k, i) => (i === 2 ? { ...k, ops: [...k.ops, ...staleTail(k.ops)] } : k)));
    const r = await linearizable({ model: 'cas-register', threads: 2, mainThreadMs: 0, search: { valueRefutation: false } }).check(broken, {});
    expect(r.stats?.['threads']).toBe(2);
    expect(r.valid).toBe(false);
    expect(r.anomalies?.[0]?.key).toBe('r2');
  }, 300_000);

  it('a worker that runs out of memory costs its job, not the process, and is replaced', async () => {
    const pool = new WorkerPool(1, 64);
    try {
      // 128 MiB of strings in one job: more than the worker's 64 MiB heap can take.
      const big = 'x'.repeat(2 ** 20);
      const reps = Array.from({ length: 128 }, (_, i) => ({ f: 'write', key: undefined, input: `${i}${big}` as unknown, output: undefined, call: i, ret: i + 1 }));
      const job = (id: number, r: typeof reps): JobRequest => {
        const p = compile(r, casRegister);
        return { id, data: { n: p.n, call: p.call, ret: p.ret, cls: p.cls, readOnly: p.readOnly, group: p.group, finite: p.finite, reps: p.reps, keyNames: p.keyNames }, model: { name: 'cas-register', product: false }, opts: { maxBytes: 2 ** 30 } };
      };
      const far = performance.timeOrigin + performance.now() + 600_000;
      const dead = await pool.run(job(1, reps), far);
      expect(dead.status).toBe('memory');
      expect(dead.reason).toMatch(/ran out of its 64 MiB heap/);
      const next = await pool.run(job(2, reps.slice(0, 2).map((o) => ({ ...o, input: o.call }))), far);
      expect(next.status).toBe('linearizable');
    } finally {
      await pool.close();
    }
    // Two workers start from the TypeScript sources here (through tsx), slow on a busy machine.
  }, 300_000);
});

/** A stale read after a history: write 7, write 8, then read 7. */
function staleTail(ops: readonly Op[]): Op[] {
  const last = ops.slice(-2);
  const t = last[last.length - 1]!.time;
  return [
    { index: 0, time: t + 1, type: 'invoke', process: 9_000, f: 'write', value: 7 },
    { index: 0, time: t + 2, type: 'ok', process: 9_000, f: 'write', value: 7 },
    { index: 0, time: t + 3, type: 'invoke', process: 9_001, f: 'write', value: 8 },
    { index: 0, time: t + 4, type: 'ok', process: 9_001, f: 'write', value: 8 },
    { index: 0, time: t + 5, type: 'invoke', process: 9_002, f: 'read', value: null },
    { index: 0, time: t + 6, type: 'ok', process: 9_002, f: 'read', value: 7 },
  ];
}

describe('memory is bounded', () => {
  it('a check that would pass its memory budget says unknown, and why', async () => {
    const r = await linearizable({ model: 'cas-register', search: ALL_OFF }).check(subsetHard(26), { maxMemoryBytes: 64 * 2 ** 20 });
    expect(r.valid).toBe('unknown');
    expect(r.summary).toMatch(/search tables passed \d+ MiB, its share of the memory budget \(memory budget 64 MiB; --max-memory raises it\)/);
    // Filling 64 MiB of tables takes seconds alone, minutes on a shared machine.
  }, 300_000);

  it('memo keys stay a few words long however many operations have unknown outcomes', () => {
    const h = generateRegisterHistory({ ops: 50_000, processes: 20, seed: 3, infoRate: 0.2 });
    expect(h.filter((o) => o.type === 'info').length).toBeGreaterThan(5_000);
    const layout = buildLayout(compile(collectOps(h, casRegister).ops, casRegister));
    // A bit per unknown-outcome operation would take some 190 words here.
    expect(layout.maxKey).toBeLessThanOrEqual(32);
  });
});
