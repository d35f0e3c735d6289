/**
 * The rw-register checker on small hand-written histories: what a register history can show
 * (who read whose write; only partial version orders) and the options that let it infer more.
 */
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../../src/api/checker.js';
import type { Op } from '../../../src/api/op.js';
import { elle, rwRegister, type ElleOptions } from '../../../checkers/elle/index.js';
import { Txns } from './txns.js';

function check(ops: Op[], opts: ElleOptions = {}): Promise<CheckResult> {
  return rwRegister(opts).check(ops, {});
}

const kinds = (r: CheckResult): string[] => (r.anomalies ?? []).map((a) => a.kind);

describe('rw-register', () => {
  it('accepts a serial history, with the caveat of partial version orders', async () => {
    const h = new Txns().run(0, [['w', 'x', 1], ['r', 'y', null]]).run(1, [['r', 'x', 1], ['w', 'y', 2]]).run(0, [['r', 'y', 2]]);
    const r = await check(h.ops);
    expect(r.valid).toBe(true);
    expect(r.summary).toMatch(/consistent with strict-serializable \(as far as the inferred version orders go\)/);
  });

  it('is told apart from list-append by its micro-operations', async () => {
    const h = new Txns().run(0, [['w', 'x', 1]]).run(1, [['r', 'x', 1]]);
    const r = await elle().check(h.ops, {});
    expect((r.details as Record<string, unknown>)['kind']).toBe('rw-register');
    const mixed = new Txns().run(0, [['w', 'x', 1]]).run(1, [['append', 'y', 1]]);
    const m = await elle().check(mixed.ops, {});
    expect(m.valid).toBe('unknown');
    expect(m.summary).toMatch(/op #3 \(ok, process 1\): micro-operation 0 is \["append","y",1\]: the history mixes list-append and rw-register/);
  });

  it('G1a, G1b and garbage reads', async () => {
    const h = new Txns()
      .run(0, [['w', 'x', 1]], 'fail')
      .run(1, [['r', 'x', 1]])
      .invoke(2, [['w', 'y', 1], ['w', 'y', 2]])
      .run(3, [['r', 'y', 1]])
      .ok(2, [['w', 'y', 1], ['w', 'y', 2]])
      .run(4, [['r', 'z', 7]]);
    const r = await check(h.ops);
    expect(kinds(r)).toEqual(expect.arrayContaining(['G1a', 'G1b', 'garbage-read']));
  });

  it('internal: a read after the transaction’s own write must see it', async () => {
    const r = await check(new Txns().run(0, [['w', 'x', 1], ['r', 'x', null]]).ops);
    expect(r.valid).toBe(false);
    expect(kinds(r)).toContain('internal');
  });

  it('G1c from write-read edges alone', async () => {
    const h = new Txns()
      .invoke(0, [['w', 'x', 1], ['r', 'y', null]])
      .invoke(1, [['w', 'y', 1], ['r', 'x', null]])
      .ok(0, [['w', 'x', 1], ['r', 'y', 1]])
      .ok(1, [['w', 'y', 1], ['r', 'x', 1]]);
    const r = await check(h.ops);
    expect(kinds(r)).toEqual(['G1c']);
    expect(r.anomalies![0]!.explanation).toMatch(/T\d read key "[xy]" = 1, which T\d wrote/);
  });

  it('write skew from reads of the initial state', async () => {
    const h = new Txns()
      .invoke(0, [['r', 'x', null], ['w', 'y', 1]])
      .invoke(1, [['r', 'y', null], ['w', 'x', 1]])
      .ok(0, [['r', 'x', null], ['w', 'y', 1]])
      .ok(1, [['r', 'y', null], ['w', 'x', 1]]);
    const r = await check(h.ops, { consistencyModels: ['serializable'] });
    expect(kinds(r)).toEqual(['G2-item']);
    expect(r.anomalies![0]!.cycle![0]!.why).toMatch(/read key "[xy]" = null and T\d set it to 1, the version right after it \(every version follows the initial state\)/);
  });

  it('lost update', async () => {
    const h = new Txns()
      .invoke(0, [['r', 'x', null], ['w', 'x', 1]])
      .invoke(1, [['r', 'x', null], ['w', 'x', 2]])
      .ok(0, [['r', 'x', null], ['w', 'x', 1]])
      .ok(1, [['r', 'x', null], ['w', 'x', 2]]);
    expect(kinds(await check(h.ops, { consistencyModels: ['repeatable-read'] }))).toEqual(expect.arrayContaining(['lost-update', 'G2-item']));
  });

  it('infers write order only when told writes follow reads (wfrKeys)', async () => {
    // T2 read x = 1 and overwrote it with 2, and wrote y; T3 saw T2's y but the older x = 1:
    // read skew, visible only once reading 1 and writing 2 puts 1 right before 2.
    const stale = new Txns()
      .run(0, [['w', 'x', 1]])
      .run(1, [['r', 'x', 1], ['w', 'x', 2], ['w', 'y', 1]])
      .run(2, [['r', 'y', 1], ['r', 'x', 1]]);
    expect((await check(stale.ops, { consistencyModels: ['serializable'] })).valid).toBe(true);
    const r = await check(stale.ops, { consistencyModels: ['serializable'], wfrKeys: true });
    expect(kinds(r)).toEqual(['G-single-item']);
    expect(r.anomalies![0]!.explanation).toMatch(/a transaction read the first and then wrote the second/);
  });

  it('sequential keys: a process that sees a key go back reports cyclic versions', async () => {
    const h = new Txns().run(0, [['w', 'x', 1]]).run(1, [['w', 'x', 2]]).run(2, [['r', 'x', 1]]).run(2, [['r', 'x', 2]]).run(2, [['r', 'x', 1]]);
    expect((await check(h.ops, { consistencyModels: ['serializable'] })).valid).toBe(true);
    const r = await check(h.ops, { consistencyModels: ['serializable'], sequentialKeys: true });
    expect(kinds(r)).toEqual(['cyclic-versions']);
  });
});
