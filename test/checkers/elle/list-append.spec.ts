/**
 * The list-append checker on small hand-written histories, one per anomaly, after the cases of
 * Elle's own test suite: what it finds, how it names and explains it, and which models it
 * rules out.
 */
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../../src/api/checker.js';
import type { Op } from '../../../src/api/op.js';
import { elle, listAppend, type ElleOptions } from '../../../checkers/elle/index.js';
import { Txns } from './txns.js';

function check(ops: Op[], opts: ElleOptions = {}): Promise<CheckResult> {
  return listAppend(opts).check(ops, {});
}

function kinds(r: CheckResult): string[] {
  return (r.anomalies ?? []).map((a) => a.kind);
}

function details(r: CheckResult): Record<string, unknown> {
  return r.details as Record<string, unknown>;
}

describe('list-append: valid histories', () => {
  it('accepts a serial history and says it is strict-serializable', async () => {
    const h = new Txns()
      .run(0, [['append', 'x', 1], ['r', 'x', [1]]])
      .run(1, [['r', 'x', [1]], ['append', 'x', 2], ['append', 'y', 1]])
      .run(0, [['r', 'x', [1, 2]], ['r', 'y', [1]]]);
    const r = await check(h.ops);
    expect(r.valid).toBe(true);
    expect(details(r)['consistentWith']).toEqual(['strict-serializable']);
    expect(r.summary).toMatch(/no anomalies; consistent with strict-serializable/);
  });

  it('is unknown when no transaction depends on another (Elle: empty transaction graph)', async () => {
    const h = new Txns().invoke(0, [['append', 'x', 1]]).invoke(1, [['append', 'y', 1]]).ok(0, [['append', 'x', 1]]).ok(1, [['append', 'y', 1]]);
    const r = await check(h.ops);
    expect(r.valid).toBe('unknown');
    expect(kinds(r)).toEqual(['empty-transaction-graph']);
  });

  it('answers unknown, naming the operation, for a value appended twice', async () => {
    const h = new Txns().run(0, [['append', 'x', 1]]).run(1, [['append', 'x', 1]]);
    const r = await check(h.ops);
    expect(r.valid).toBe('unknown');
    expect(r.summary).toMatch(/value 1 was appended to key "x" more than once/);
  });

  it('answers unknown for a read list holding something other than scalars', async () => {
    const h = new Txns().run(0, [['append', 'x', 1]]).run(1, [['r', 'x', [1, { a: 1 }]]]);
    const r = await check(h.ops);
    expect(r.valid).toBe('unknown');
    expect(r.summary).toMatch(/op #3 \(process 1\) read key "x" as a list holding \{"a":1\}/);
  });

  it('answers unknown for a malformed transaction', async () => {
    const h = new Txns().run(0, [['put', 'x', 1]]);
    const r = await check(h.ops);
    expect(r.valid).toBe('unknown');
    expect(r.summary).toMatch(/op #1 \(ok, process 0\): micro-operation 0 has f "put"/);
  });
});

describe('list-append: anomalies without cycles', () => {
  it('G1a: a read of a failed append', async () => {
    const h = new Txns().run(0, [['append', 'x', 1]], 'fail').run(1, [['r', 'x', [1]]]);
    const r = await check(h.ops);
    expect(r.valid).toBe(false);
    expect(kinds(r)).toContain('G1a');
    const g1a = r.anomalies!.find((a) => a.kind === 'G1a')!;
    expect(g1a.explanation).toMatch(/op #1 \(failed\)/);
    expect(g1a.ops.map((o) => o.index)).toEqual([0, 1, 2, 3]);
    expect(details(r)['not']).toEqual(['read-committed']);
    expect(details(r)['alsoNot']).toEqual(expect.arrayContaining(['causal-cerone', 'serializable', 'snapshot-isolation']));
  });

  it('G1b: a read of an intermediate append', async () => {
    const h = new Txns().invoke(0, [['append', 'x', 1], ['append', 'x', 2]]).run(1, [['r', 'x', [1]]]).ok(0, [['append', 'x', 1], ['append', 'x', 2]]);
    const r = await check(h.ops);
    expect(kinds(r)).toContain('G1b');
  });

  it('internal: a transaction that does not see its own append', async () => {
    const h = new Txns().run(0, [['append', 'x', 1], ['r', 'x', [2]]]).run(1, [['append', 'x', 2]]);
    const r = await check(h.ops);
    expect(kinds(r)).toContain('internal');
    expect(r.anomalies!.find((a) => a.kind === 'internal')!.explanation).toMatch(/should have seen \[…,1\]/);
  });

  it('internal: a read that drops what the same transaction read before', async () => {
    const h = new Txns().run(1, [['append', 'x', 1]]).run(0, [['r', 'x', [1]], ['append', 'x', 2], ['r', 'x', [1]]]);
    const r = await check(h.ops);
    expect(r.anomalies!.find((a) => a.kind === 'internal')!.explanation).toMatch(/should have seen \[1,2\]/);
  });

  it('internal: a transaction whose own appends show out of order, or only in part', async () => {
    const h = new Txns().run(0, [['append', 'x', 1], ['append', 'x', 2], ['append', 'y', 1], ['append', 'y', 2]]).run(1, [['r', 'x', [2, 1]], ['r', 'y', [2]]]);
    const r = await check(h.ops);
    const internal = r.anomalies!.filter((a) => a.kind === 'internal').map((a) => a.summary);
    expect(internal).toEqual(expect.arrayContaining([expect.stringMatching(/appended 1 and then 2 to key "x", but reads show 2 before 1/), expect.stringMatching(/appended 1 and then 2 to key "y", but reads show 2 but never 1/)]));
  });

  it('future-read: a read of a value the transaction appends only later', async () => {
    const h = new Txns().run(0, [['r', 'x', [1]], ['append', 'x', 1]]);
    const r = await check(h.ops);
    expect(kinds(r)).toContain('future-read');
  });

  it('incompatible-order and duplicate-elements', async () => {
    const h = new Txns()
      .run(0, [['append', 'x', 1]])
      .run(1, [['append', 'x', 2]])
      .run(2, [['r', 'x', [1, 2]]])
      .run(3, [['r', 'x', [2, 1]]])
      .run(4, [['r', 'x', [1, 2, 1]]]);
    const r = await check(h.ops);
    expect(kinds(r)).toEqual(expect.arrayContaining(['incompatible-order', 'duplicate-elements']));
  });

  it('garbage-read: a value nobody appended', async () => {
    const h = new Txns().run(0, [['append', 'x', 1]]).run(1, [['r', 'x', [1, 9]]]);
    const r = await check(h.ops);
    expect(kinds(r)).toContain('garbage-read');
  });

  it('dirty-update: a committed append on top of an aborted one', async () => {
    const h = new Txns().run(0, [['append', 'x', 1]], 'fail').run(1, [['append', 'x', 2]]).run(2, [['r', 'x', [1, 2]]]);
    const r = await check(h.ops);
    expect(kinds(r)).toEqual(expect.arrayContaining(['G1a', 'dirty-update']));
  });

  it('lost-update: two transactions read the same state and both append', async () => {
    const h = new Txns()
      .invoke(0, [['r', 'x', null], ['append', 'x', 1]])
      .invoke(1, [['r', 'x', null], ['append', 'x', 2]])
      .ok(0, [['r', 'x', []], ['append', 'x', 1]])
      .ok(1, [['r', 'x', null], ['append', 'x', 2]])
      .run(2, [['r', 'x', [1, 2]]]);
    const r = await check(h.ops, { consistencyModels: ['repeatable-read'] });
    expect(kinds(r)).toEqual(expect.arrayContaining(['lost-update', 'G-single-item']));
  });

  it('lost-append: an acknowledged append no later read shows', async () => {
    const h = new Txns().run(0, [['append', 'x', 1]]).run(1, [['r', 'x', []]]);
    const strict = await check(h.ops);
    expect(kinds(strict)).toEqual(expect.arrayContaining(['G-single-item-realtime', 'lost-append']));
    const serializable = await check(h.ops, { consistencyModels: ['serializable'] });
    expect(serializable.valid).toBe(true);
  });
});

describe('list-append: cycles', () => {
  it('G0: write cycle, explained edge by edge', async () => {
    const h = new Txns()
      .invoke(0, [['append', 'x', 1], ['append', 'y', 2]])
      .invoke(1, [['append', 'x', 2], ['append', 'y', 1]])
      .ok(0, [['append', 'x', 1], ['append', 'y', 2]])
      .ok(1, [['append', 'x', 2], ['append', 'y', 1]])
      .run(2, [['r', 'x', [1, 2]], ['r', 'y', [1, 2]]]);
    const r = await check(h.ops, { consistencyModels: ['read-uncommitted'] });
    expect(r.valid).toBe(false);
    const g0 = r.anomalies!.find((a) => a.kind === 'G0')!;
    expect(g0.cycle!.map((e) => e.relation)).toEqual(['ww', 'ww']);
    expect(g0.explanation).toMatch(/^G0: a cycle of write dependencies/);
    expect(g0.explanation).toMatch(/T\d appended 2 to key "[xy]" right after T\d's append of 1/);
    expect(g0.explanation).toMatch(/However, T2 < T1, because .*: a contradiction!$/);
    expect(details(r)['not']).toEqual(['read-uncommitted']);
  });

  it('G1c: circular information flow', async () => {
    const h = new Txns()
      .invoke(0, [['append', 'x', 1], ['r', 'y', null]])
      .invoke(1, [['append', 'y', 1], ['r', 'x', null]])
      .ok(0, [['append', 'x', 1], ['r', 'y', [1]]])
      .ok(1, [['append', 'y', 1], ['r', 'x', [1]]]);
    const r = await check(h.ops);
    const g1c = r.anomalies!.find((a) => a.kind === 'G1c')!;
    expect(g1c.cycle!.map((e) => e.relation)).toEqual(['wr', 'wr']);
    expect(g1c.cycle![0]!.why).toMatch(/T2 read key "[xy]" = \[1\], which ends with T1's append of 1, so T1 < T2/);
    expect(details(r)['not']).toEqual(['read-committed']);
  });

  it('G-single: read skew, with Elle-style edges {from, to, relation, why}', async () => {
    const h = new Txns()
      .invoke(0, [['append', 'x', 1], ['append', 'y', 1]])
      .invoke(1, [['r', 'x', null], ['r', 'y', null]])
      .ok(0, [['append', 'x', 1], ['append', 'y', 1]])
      .ok(1, [['r', 'x', []], ['r', 'y', [1]]]);
    const r = await check(h.ops);
    const a = r.anomalies!.find((x) => x.kind === 'G-single-item')!;
    expect(a.cycle).toHaveLength(2);
    const rw = a.cycle!.find((e) => e.relation === 'rw')!;
    expect(rw.from).toBe(3);
    expect(rw.to).toBe(2);
    expect(rw.why).toMatch(/^T2 read key "x" = \[\] without T1's append of 1, which no read ever saw, so T2 < T1$/);
    expect(details(r)['not']).toEqual(['consistent-view', 'repeatable-read']);
    expect(details(r)['alsoNot']).toContain('snapshot-isolation');
  });

  it('G2-item: write skew is snapshot-isolation but not serializable', async () => {
    const h = new Txns()
      .invoke(0, [['r', 'x', null], ['append', 'y', 1]])
      .invoke(1, [['r', 'y', null], ['append', 'x', 1]])
      .ok(0, [['r', 'x', null], ['append', 'y', 1]])
      .ok(1, [['r', 'y', null], ['append', 'x', 1]]);
    const si = await check(h.ops, { consistencyModels: ['snapshot-isolation'] });
    expect(si.valid).toBe(true);
    const ser = await check(h.ops, { consistencyModels: ['serializable'] });
    expect(ser.valid).toBe(false);
    expect(kinds(ser)).toEqual(['G2-item']);
    expect(details(ser)['not']).toEqual(['repeatable-read']);
    expect(details(ser)['consistentWith']).toContain('snapshot-isolation');
  });

  it('G-nonadjacent-item-process (Elle issue 17): only with process order', async () => {
    const h = new Txns()
      .invoke(0, [['r', 'x', null], ['r', 'z', null]])
      .ok(0, [['r', 'x', null], ['r', 'z', [1]]])
      .run(1, [['append', 'x', 1]])
      .run(1, [['r', 'z', null]])
      .run(2, [['append', 'z', 1]]);
    expect((await check(h.ops, { consistencyModels: ['serializable'] })).valid).toBe(true);
    const r = await check(h.ops, { consistencyModels: ['strong-session-snapshot-isolation'] });
    expect(r.valid).toBe(false);
    expect(kinds(r)).toEqual(['G-nonadjacent-item-process']);
    expect(r.anomalies![0]!.cycle!.map((e) => e.relation).sort()).toEqual(['process', 'rw', 'rw', 'wr']);
  });

  it('G-single-item-process: a process that does not read its own earlier write (Elle)', async () => {
    const h = new Txns().run(0, [['append', 'x', 1]]).run(1, [['append', 'x', 2]]).run(1, [['r', 'x', [1]]]).run(2, [['r', 'x', [1, 2]]]);
    expect((await check(h.ops, { consistencyModels: ['serializable'] })).valid).toBe(true);
    const r = await check(h.ops, { consistencyModels: ['strong-session-snapshot-isolation'] });
    expect(kinds(r)).toEqual(['G-single-item-process']);
    expect(r.anomalies![0]!.explanation).toMatch(/process 1 ran T\d and then T\d/);
  });

  it('G1c-realtime: a read that sees a write begun after it completed', async () => {
    const h = new Txns().run(0, [['r', 'x', [1]]]).run(1, [['append', 'x', 1]]);
    expect((await check(h.ops, { consistencyModels: ['serializable'] })).valid).toBe(true);
    const r = await check(h.ops);
    expect(kinds(r)).toEqual(['G1c-realtime']);
    expect(r.anomalies![0]!.explanation).toMatch(/T\d completed \(op #1\) before T\d was invoked \(op #2, 1\.000 ms later\)/);
    expect(details(r)['not']).toEqual(['strong-read-committed']);
  });

  it('looks for extra anomalies on request, with what implies them', async () => {
    const h = new Txns().run(0, [['r', 'x', [1]]]).run(1, [['append', 'x', 1]]);
    expect((await elle({ consistencyModels: ['read-uncommitted'], anomalies: ['G1'] }).check(h.ops, {})).valid).toBe(true);
    const r = await elle({ consistencyModels: ['read-uncommitted'], anomalies: ['G1-realtime'] }).check(h.ops, {});
    expect(r.valid).toBe(false);
    expect(kinds(r)).toEqual(['G1c-realtime']);
    expect(() => elle({ anomalies: ['G9'] })).toThrow(/unknown anomaly G9/);
    expect(() => elle({ consistencyModels: ['serialisable'] })).toThrow(/unknown consistency model 'serialisable'/);
  });

  it('info transactions: observed ones happened, unobserved ones may not have', async () => {
    const h = new Txns()
      .invoke(0, [['append', 'x', 1]])
      .complete(0, 'info')
      .run(1, [['r', 'x', [1]]])
      .invoke(2, [['append', 'y', 1]])
      .complete(2, 'info')
      .run(3, [['r', 'y', []]]);
    const r = await check(h.ops);
    expect(r.valid).toBe(true);
  });
});
