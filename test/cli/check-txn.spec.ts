/**
 * `faultline check --checker elle | list-append | rw-register | bank` on history files, as a
 * user runs it: saved JSONL runs and Jepsen EDN list-append histories, exit codes 0 / 1 / 2,
 * and one-line errors for options that do not fit.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Op } from '../../src/api/op.js';
import { inject } from '../../bench/txn-anomalies.js';
import { simulateTxnHistory } from '../../bench/txn-sim.js';
import { runCli } from '../helpers/cli.js';
import { tempFiles } from '../helpers/temp-files.js';

const { dir, file } = tempFiles('faultline-check-txn');

const jsonl = (ops: readonly Op[]): string => ops.map((o) => JSON.stringify(o)).join('\n') + '\n';

/** A value as EDN: keywords for micro-operation names, vectors, nil. */
function edn(v: unknown, keyword = false): string {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return `[${v.map((x, i) => edn(x, i === 0 && typeof x === 'string' && ['append', 'r', 'w'].includes(x))).join(' ')}]`;
  if (typeof v === 'string') return keyword ? `:${v}` : JSON.stringify(v);
  return String(v);
}

/** Jepsen's history.edn: one op map per line, with :index and :time. */
const ednHistory = (ops: readonly Op[]): string =>
  ops.map((o) => `{:type :${o.type}, :f :${o.f}, :value [${(o.value as unknown[]).map((m) => edn(m)).join(' ')}], :process ${o.process}, :time ${o.time}, :index ${o.index}}`).join('\n') + '\n';

const clean = simulateTxnHistory({ txns: 400, processes: 5, kind: 'list-append', seed: 3 });
const skewed = inject(clean, 'list-append', [{ what: 'write-skew', at: 200 }]);

describe('faultline check --checker elle', () => {
  it('exits 0 for a serializable JSONL history and says what it is consistent with', async () => {
    const r = await runCli(['check', file('clean.jsonl', jsonl(clean)), '--checker', 'elle']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^elle: .*VALID.*no anomalies; consistent with strict-serializable\./m);
  });

  it('exits 1 for a write skew, explained as Elle explains it', async () => {
    const r = await runCli(['check', file('skew.jsonl', jsonl(skewed)), '--checker', 'list-append', '--consistency-models', 'serializable']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/found G2-item \(1\)\. Not repeatable-read/);
    expect(r.stdout).toMatch(/Let:\n {2}T1 = op #\d+ \(process 10000\d\d\): /);
    expect(r.stdout).toMatch(/However, T2 < T1, because .*: a contradiction!/);
  });

  it('reads Jepsen EDN list-append histories, nested vectors and all', async () => {
    const r = await runCli(['check', file('skew.edn', ednHistory(skewed)), '--checker', 'elle', '--consistency-models', 'snapshot-isolation', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { format: string; valid: boolean; details: { alsoFound: Record<string, number>; kind: string } };
    expect(out.format).toBe('edn');
    expect(out.details.kind).toBe('list-append');
    expect(out.details.alsoFound).toEqual({ 'G2-item': 1 });
    const strict = await runCli(['check', join(dir, 'skew.edn'), '--checker', 'elle', '--json']);
    expect(strict.code).toBe(1);
    // The cycle as edges a report can draw: history indices of the two completions, the relation, the reason.
    const { anomalies } = JSON.parse(strict.stdout) as { anomalies: { kind: string; cycle?: { from: number; to: number; relation: string; why: string }[] }[] };
    const cycle = anomalies.find((a) => a.kind === 'G2-item')!.cycle!;
    expect(cycle.map((e) => e.relation)).toEqual(['rw', 'rw']);
    expect(cycle[0]!.to).toBe(cycle[1]!.from);
    expect(cycle[1]!.to).toBe(cycle[0]!.from);
    for (const e of cycle) expect(skewed[e.from]!.type).toBe('ok');
    expect(cycle[0]!.why).toMatch(/^T1 read key .* without T2's append of .*, so T1 < T2$/);
  });

  it('answers an unknown model or a misplaced option in one line, exit 2', async () => {
    const path = join(dir, 'clean.jsonl');
    const bad = await runCli(['check', path, '--checker', 'elle', '--consistency-models', 'serialisable']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^faultline: unknown consistency model 'serialisable'; known models: /);
    const model = await runCli(['check', path, '--checker', 'elle', '--model', 'kv']);
    expect(model.code).toBe(2);
    expect(model.stderr).toMatch(/--model chooses the linearizability model; it does not apply to --checker elle/);
    const name = await runCli(['check', path, '--checker', 'ele']);
    expect(name.code).toBe(2);
    expect(name.stderr).toMatch(/unknown checker 'ele': did you mean 'elle'\?/);
  });

  it('is unknown (exit 2) for a history that is not transactions', async () => {
    const ops: Op[] = [
      { index: 0, time: 0, type: 'invoke', process: 0, f: 'txn', value: 3 },
      { index: 1, time: 1, type: 'ok', process: 0, f: 'txn', value: 3 },
    ];
    const r = await runCli(['check', file('notxn.jsonl', jsonl(ops)), '--checker', 'elle']);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/Cannot check this history as transactions: op #0 \(invoke, process 0\): its value must be a list of micro-operations/);
  });
});

describe('faultline check --checker bank', () => {
  const op = (index: number, type: Op['type'], process: number, f: string, value: unknown): Op => ({ index, time: index, type, process, f, value });
  const history = [
    op(0, 'invoke', 0, 'read', null),
    op(1, 'ok', 0, 'read', { '0': 50, '1': 50 }),
    op(2, 'invoke', 1, 'transfer', { from: 0, to: 1, amount: 5 }),
    op(3, 'ok', 1, 'transfer', { from: 0, to: 1, amount: 5 }),
    op(4, 'invoke', 0, 'read', null),
    op(5, 'ok', 0, 'read', { '0': 45, '1': 50 }),
  ];
  it('exits 1 for a read with the wrong total, 0 when all sum right', async () => {
    const bad = await runCli(['check', file('bank.jsonl', jsonl(history)), '--checker', 'bank', '--total', '100']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/op #5 \(process 0\) read \{"0":45,"1":50\}: the balances sum to 95, not 100 \(5 missing\)/);
    const good = await runCli(['check', file('bank-ok.jsonl', jsonl(history.slice(0, 4))), '--checker', 'bank', '--total', '100', '--accounts', '0,1']);
    expect(good.code).toBe(0);
  });
});
