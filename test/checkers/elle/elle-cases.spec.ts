/**
 * faultline's `elle` against Elle's own verdicts: the histories of Elle's list-append checker
 * tests (jepsen-io/elle, test/elle/list_append_test.clj), each with the options Elle checks it
 * under and what Elle answers: validity, the anomaly types it reports and the weakest models it
 * rules out (`:not`).
 *
 * Where faultline reports more than Elle, the case says which types and why; each is a real
 * anomaly of the history (Elle's search stops at the first type it finds per component, and
 * `lost-append` is faultline's own). Elle's newer `ROLA` model is not in faultline's lattice;
 * `update-atomic` (Cerone's, which rules out lost updates) stands where Elle names it.
 */
import { describe, expect, it } from 'vitest';
import type { Op } from '../../../src/api/op.js';
import { elle, type ElleOptions } from '../../../checkers/elle/index.js';
import { concurrent, serial, Txns } from './txns.js';

interface Case {
  name: string;
  history: Op[];
  opts: ElleOptions;
  valid: boolean | 'unknown';
  /** Elle's `:anomaly-types`. */
  types: string[];
  /** Elle's `:not` (Elle leaves it out of a valid result). */
  not?: string[];
  /** Types faultline reports besides Elle's, and why. */
  extra?: { types: string[]; why: string };
}

const none = (anomaly: string): ElleOptions => ({ consistencyModels: [], anomalies: [anomaly] });
const models = (...m: string[]): ElleOptions => ({ consistencyModels: m });

const g0 = concurrent(['ax1ay1', 'ax2ay2', 'rx12ry21']);
const g1a = concurrent([{ txn: 'ax1', type: 'fail' }, 'rx1']);
const g1b = serial(['ax1ax2', 'rx1']);
const g1c = concurrent(['ax1ry1', 'ax2ay1', 'rx12ry1']);
const gSingle = concurrent(['ax1ay1', 'ax2ry', 'rx12']);
const g2 = concurrent(['ax1ry', 'ay1rx']);
const lostAppend = { types: ['lost-append'], why: 'an acknowledged append a later read does not show (faultline)' };

/** Four single-micro-operation transactions on processes p0..p3 (Elle's strong-SI cases). */
function fourTxns(processes: [number, number, number, number]): Op[] {
  return new Txns()
    .run(processes[0], [['append', 'x', 1]])
    .run(processes[1], [['append', 'x', 2]])
    .run(processes[2], [['r', 'x', [1]]])
    .run(processes[3], [['r', 'x', [1, 2]]]).ops;
}

const CASES: Case[] = [
  { name: 'G0 asked for G0', history: g0, opts: none('G0'), valid: false, types: ['G0'], not: ['read-uncommitted'] },
  { name: 'G0 asked for G1', history: g0, opts: none('G1'), valid: false, types: ['G0'], not: ['read-uncommitted'] },
  { name: 'G0 asked for G2', history: g0, opts: none('G2'), valid: true, types: [] },
  { name: 'G1a under read-uncommitted', history: g1a, opts: models('read-uncommitted'), valid: 'unknown', types: ['empty-transaction-graph'], not: ['read-committed'] },
  { name: 'G1a under read-committed', history: g1a, opts: models('read-committed'), valid: false, types: ['G1a', 'empty-transaction-graph'], not: ['read-committed'] },
  { name: 'G1a asked for G2', history: g1a, opts: none('G2'), valid: 'unknown', types: ['empty-transaction-graph'], not: ['read-committed'] },
  { name: 'G1a under repeatable-read', history: g1a, opts: models('repeatable-read'), valid: false, types: ['G1a', 'empty-transaction-graph'], not: ['read-committed'] },
  { name: 'G1b asked for G0', history: g1b, opts: none('G0'), valid: true, types: [] },
  { name: 'G1b asked for G1', history: g1b, opts: none('G1'), valid: false, types: ['G1b'], not: ['read-committed'] },
  { name: 'G1b asked for G2', history: g1b, opts: none('G2'), valid: false, types: ['G-single-item'], not: ['read-committed'] },
  { name: 'G1b under strict-serializable', history: g1b, opts: models('strict-serializable'), valid: false, types: ['G-single-item', 'G1b'], not: ['read-committed'], extra: lostAppend },
  { name: 'G1c asked for G0', history: g1c, opts: none('G0'), valid: true, types: [] },
  { name: 'G1c asked for G1', history: g1c, opts: none('G1'), valid: false, types: ['G1c'], not: ['read-committed'] },
  { name: 'G1c asked for G2', history: g1c, opts: none('G2'), valid: true, types: [] },
  { name: 'G-single asked for G0', history: gSingle, opts: none('G0'), valid: true, types: [] },
  { name: 'G-single asked for G1', history: gSingle, opts: none('G1'), valid: true, types: [] },
  { name: 'G-single asked for G-single', history: gSingle, opts: none('G-single'), valid: false, types: ['G-single-item'], not: ['consistent-view', 'repeatable-read'] },
  { name: 'G-single asked for G2', history: gSingle, opts: none('G2'), valid: false, types: ['G-single-item'], not: ['consistent-view', 'repeatable-read'] },
  { name: 'G2 asked for G0', history: g2, opts: none('G0'), valid: true, types: [] },
  { name: 'G2 asked for G1', history: g2, opts: none('G1'), valid: true, types: [] },
  { name: 'G2 under read-committed', history: g2, opts: models('read-committed'), valid: true, types: [] },
  { name: 'G2 asked for G2', history: g2, opts: none('G2'), valid: false, types: ['G2-item'], not: ['repeatable-read'] },
  { name: 'G2 under serializable', history: g2, opts: models('serializable'), valid: false, types: ['G2-item'], not: ['repeatable-read'] },
  { name: 'G2 under repeatable-read', history: g2, opts: models('repeatable-read'), valid: false, types: ['G2-item'], not: ['repeatable-read'] },
  { name: 'strong SI violation asked for G2', history: fourTxns([0, 1, 2, 3]), opts: none('G2'), valid: true, types: [] },
  { name: 'strong SI violation under serializable', history: fourTxns([0, 1, 2, 3]), opts: models('serializable'), valid: true, types: [] },
  {
    name: 'strong SI violation under strict-serializable',
    history: fourTxns([0, 1, 2, 3]),
    opts: models('strict-serializable'),
    valid: false,
    types: ['G-single-item-realtime'],
    not: ['strong-snapshot-isolation'],
  },
  { name: 'strong session SI violation under serializable', history: fourTxns([0, 1, 1, 2]), opts: models('serializable'), valid: true, types: [] },
  {
    name: 'strong session SI violation under strong-session-snapshot-isolation',
    history: fourTxns([0, 1, 1, 2]),
    opts: models('strong-session-snapshot-isolation'),
    valid: false,
    types: ['G-single-item-process'],
    not: ['strong-session-snapshot-isolation'],
  },
  {
    name: 'contradictory read orders asked for G1',
    history: concurrent(['ax1ry1', 'ax2', 'ax3ay1', 'rx13', 'rx123']),
    opts: none('G1'),
    valid: false,
    types: ['G1c', 'incompatible-order'],
    not: ['read-committed'],
  },
  { name: 'dirty update: none', history: concurrent([{ txn: 'ax1', type: 'fail' }]), opts: none('dirty-update'), valid: 'unknown', types: ['empty-transaction-graph'], not: [] },
  {
    name: 'dirty update: direct',
    history: concurrent([{ txn: 'ax1', type: 'fail' }, 'ax2', 'rx12']),
    opts: none('dirty-update'),
    valid: false,
    types: ['dirty-update'],
    not: ['read-committed'],
  },
  {
    name: 'dirty update: indirect',
    history: concurrent([{ txn: 'ax1', type: 'fail' }, { txn: 'ax2', type: 'info' }, 'ax3', 'rx123']),
    opts: none('dirty-update'),
    valid: false,
    types: ['dirty-update'],
    not: ['read-committed'],
  },
  {
    name: 'duplicated elements under read-committed',
    history: concurrent(['ax1ry1', 'ax2ay1', 'rx121']),
    opts: models('read-committed'),
    valid: false,
    types: ['G1c', 'duplicate-elements'],
    not: ['read-uncommitted'],
  },
  { name: 'internal asked for internal', history: concurrent(['ax1ax2ax4', 'ax3rx1234']), opts: none('internal'), valid: false, types: ['internal'], not: ['read-uncommitted'] },
  {
    name: 'unobserved writes under serializable',
    history: concurrent(['ax1ay1', 'ax2ay2', 'ax3ay3', 'rx12', 'ry2']),
    opts: models('serializable'),
    valid: false,
    types: ['G-single-item', 'G0'],
    not: ['read-uncommitted'],
  },
  { name: 'repeatable-read: G2-item under read-committed', history: concurrent(['rxay1', 'ryax1']), opts: models('read-committed'), valid: true, types: [] },
  { name: 'repeatable-read: G2-item under repeatable-read', history: concurrent(['rxay1', 'ryax1']), opts: models('repeatable-read'), valid: false, types: ['G2-item'], not: ['repeatable-read'] },
  {
    name: 'G-nonadjacent',
    history: serial(['ax1', 'rx1ry', 'ay1', 'ry1rx']),
    opts: {},
    valid: false,
    types: ['G-nonadjacent-item'],
    not: ['repeatable-read', 'snapshot-isolation'],
    extra: { types: ['G-single-item-process'], why: 'the last transaction misses x = 1, appended earlier on its own process' },
  },
  {
    name: 'no G-nonadjacent with adjacent anti-dependencies',
    history: serial(['rx5ay1', 'ryaz2', 'rzat3', 'rt3au4', 'ruax5']),
    opts: models('snapshot-isolation'),
    valid: true,
    types: [],
  },
  {
    name: 'lost update',
    history: serial(['ax0', 'rx0ax1', 'rx0ax2']),
    opts: {},
    valid: false,
    types: ['G2-item', 'lost-update'],
    not: ['cursor-stability', 'update-atomic'],
    extra: { types: ['G-single-item-process', 'lost-append'], why: 'the third transaction misses 1, appended before it on its own process' },
  },
  { name: 'one transaction, two appends over its read', history: serial(['rxax1ax2', 'rx12']), opts: {}, valid: true, types: [] },
  {
    name: 'wr and process order (Elle issue 21)',
    history: new Txns().run(1, [['r', 'x', [1]], ['append', 'y', 1]]).run(2, [['r', 'y', [1]]]).run(2, [['append', 'x', 1]]).ops,
    opts: models('strong-session-snapshot-isolation'),
    valid: false,
    types: ['G1c-process'],
    not: ['strong-session-read-committed'],
  },
  {
    name: 'repeatable-read rules out G-single-item',
    history: serial(['ax1ay1', 'rx1ry']),
    opts: models('repeatable-read'),
    valid: false,
    types: ['G-single-item'],
    not: ['consistent-view', 'repeatable-read'],
  },
  {
    name: 'repeatable-read rules out G-nonadjacent-item',
    history: serial(['ax1at1', 'rx1ry', 'ay1az2', 'rz2rt']),
    opts: models('repeatable-read'),
    valid: false,
    types: ['G-nonadjacent-item'],
    not: ['repeatable-read', 'snapshot-isolation'],
  },
  {
    name: 'future read',
    history: new Txns().run(0, [['r', 'x', [1]], ['append', 'x', 1]]).ops,
    opts: models('read-committed'),
    valid: false,
    types: ['empty-transaction-graph', 'future-read'],
    not: ['read-committed'],
  },
];

describe("elle: Elle's own list-append cases", () => {
  it.each(CASES)('$name', async (c) => {
    const r = await elle({ ...c.opts, kind: 'list-append' }).check(c.history, {});
    const d = r.details as { not: string[] };
    expect(r.valid, r.summary).toBe(c.valid);
    expect([...new Set((r.anomalies ?? []).map((a) => a.kind))].sort()).toEqual([...c.types, ...(c.extra?.types ?? [])].sort());
    if (c.not) expect(d.not).toEqual([...c.not].sort());
  });

  it("names the G-single Elle's search times out on (Elle's unfindable-g-single: one among thousands of G2-item cycles)", async () => {
    const n = 1000;
    const noise = 10;
    const h = new Txns();
    // A ring of ww edges on one key; the first also appends to `anti`, the last misses it: one rw edge closes a G-single.
    for (let i = 0; i < n; i++) h.run(0, [['append', 'ring', i], i === 0 ? ['append', 'anti', 'first'] : i === n - 1 ? ['r', 'anti', null] : ['append', i, 0]]);
    h.run(1, [['r', 'ring', [...Array(n).keys()]]]);
    // Noise: chains of appends hanging off the ring, each closed by two rw edges (G2-item, never G-single).
    for (let i = 1; i < n - 1; i++) {
      for (let j = 1; j < noise; j++) {
        if (j === noise - 2) h.run(2, [['r', i, [...Array(noise - 2).keys()]], ['r', `anti-${i}`, null]]);
        else if (j === noise - 1) h.run(2, [['append', `anti-${i}`, 0], ['r', 'ring', null]]);
        else h.run(2, [['append', i, j]]);
      }
    }
    const r = await elle({ consistencyModels: ['snapshot-isolation'] }).check(h.ops, {});
    expect(r.valid).toBe(false);
    expect(r.anomalies!.map((a) => a.kind)).toEqual(['G-single-item']);
    expect(r.anomalies![0]!.cycle!.filter((e) => e.relation === 'rw')).toHaveLength(1);
  });

  it('explains the G2 case as Elle does, each step naming the read and the append', async () => {
    const r = await elle({ consistencyModels: ['serializable'] }).check(g2, {});
    const text = r.anomalies![0]!.explanation;
    expect(text).toMatch(/^G2-item: .*\nLet:\n {2}T1 = op #\d+ \(process \d\): .*\n {2}T2 = op #\d+ \(process \d\): .*\nThen:\n/);
    expect(text).toMatch(/ {2}- T1 < T2, because T1 read key "[xy]" = \[\] without T2's append of 1, which no read ever saw\.\n/);
    expect(text).toMatch(/ {2}- However, T2 < T1, because T2 read key "[xy]" = \[\] without T1's append of 1, which no read ever saw: a contradiction!$/);
    expect(r.anomalies![0]!.cycle!.map((e) => e.relation)).toEqual(['rw', 'rw']);
  });
});
