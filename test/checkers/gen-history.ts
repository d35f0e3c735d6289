/**
 * fast-check arbitraries for register and kv histories: operations executed against a
 * sequential model at chosen linearization points inside random real-time intervals, so the
 * history is linearizable by construction, plus mutations that may break that.
 */
import fc from 'fast-check';
import type { Op, OpType } from '../../src/api/op.js';

/** One planned operation. */
export interface PlannedOp {
  f: string;
  /** Register: the value written, or [expected, new]; kv: the string put or appended. */
  value: unknown;
  key?: string;
  start: number;
  lead: number;
  tail: number;
  /** ok, info (took effect, unknown), lost (did not take effect, reported info), crash (took effect, never completed). */
  outcome: 'ok' | 'info' | 'lost' | 'crash';
}

const outcome = fc.constantFrom<PlannedOp['outcome']>('ok', 'ok', 'ok', 'ok', 'info', 'lost', 'crash');

/** A register operation plan; `keys` > 1 spreads ops over keys "k0", "k1", .... */
export function registerOp(values = 3, keys = 1, span = 1000): fc.Arbitrary<PlannedOp> {
  return fc
    .record({
      f: fc.constantFrom('read', 'read', 'write', 'cas'),
      v: fc.integer({ min: 0, max: values - 1 }),
      e: fc.integer({ min: 0, max: values - 1 }),
      k: fc.integer({ min: 0, max: keys - 1 }),
      start: fc.integer({ min: 0, max: span }),
      lead: fc.integer({ min: 1, max: 150 }),
      tail: fc.integer({ min: 1, max: 150 }),
      outcome,
    })
    .map(({ f, v, e, k, start, lead, tail, outcome: o }) => {
      const op: PlannedOp = { f, value: f === 'cas' ? [e, v] : f === 'write' ? v : null, start, lead, tail, outcome: o };
      if (keys > 1) op.key = `k${k}`;
      return op;
    });
}

/** A kv (get / put / append) operation plan over `keys` keys. */
export function kvOp(keys = 3, span = 1000): fc.Arbitrary<PlannedOp> {
  return fc
    .record({
      f: fc.constantFrom('get', 'get', 'put', 'append', 'append'),
      s: fc.constantFrom('a', 'b', 'c'),
      k: fc.integer({ min: 0, max: keys - 1 }),
      start: fc.integer({ min: 0, max: span }),
      lead: fc.integer({ min: 1, max: 150 }),
      tail: fc.integer({ min: 1, max: 150 }),
      outcome,
    })
    .map(({ f, s, k, start, lead, tail, outcome: o }) => ({ f, value: f === 'get' ? null : s, key: `k${k}`, start, lead, tail, outcome: o }));
}

function jsonEq(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * Execute the plan sequentially in order of linearization points (start + lead) and lay the
 * invocations and completions out in real time. Fails (a `cas` whose expected value did not
 * match) complete as `fail` and change nothing; `lost` operations change nothing.
 */
export function execute(plan: readonly PlannedOp[]): Op[] {
  const order = plan.map((_, i) => i).sort((a, b) => plan[a]!.start + plan[a]!.lead - (plan[b]!.start + plan[b]!.lead) || a - b);
  const state = new Map<string, unknown>();
  const results: { type: OpType | 'none'; value: unknown }[] = plan.map(() => ({ type: 'ok', value: null }));
  for (const i of order) {
    const p = plan[i]!;
    const k = p.key ?? '';
    const isKv = p.f === 'get' || p.f === 'put' || p.f === 'append';
    const cur = state.has(k) ? state.get(k) : isKv ? '' : null;
    const happen = p.outcome !== 'lost';
    let value: unknown = p.value;
    let type: OpType | 'none' = p.outcome === 'ok' ? 'ok' : p.outcome === 'crash' ? 'none' : 'info';
    if (p.f === 'read' || p.f === 'get') value = cur;
    else if (p.f === 'write' || p.f === 'put') {
      if (happen) state.set(k, p.value);
    } else if (p.f === 'append') {
      if (happen) state.set(k, String(cur) + String(p.value));
    } else if (p.f === 'cas') {
      const [e, n] = p.value as [unknown, unknown];
      if (jsonEq(cur, e)) {
        if (happen) state.set(k, n);
      } else if (p.outcome === 'ok') type = 'fail';
    }
    if (p.outcome !== 'ok' && (p.f === 'read' || p.f === 'get')) value = null;
    results[i] = { type, value };
  }
  const events: { t: number; seq: number; op: Omit<Op, 'index' | 'time'> }[] = [];
  plan.forEach((p, i) => {
    const inv: Omit<Op, 'index' | 'time'> = { type: 'invoke', process: i, f: p.f, value: p.value };
    if (p.key !== undefined) inv.key = p.key;
    events.push({ t: p.start, seq: 2 * i, op: inv });
    const r = results[i]!;
    if (r.type !== 'none') {
      const done: Omit<Op, 'index' | 'time'> = { ...inv, type: r.type, value: r.value };
      events.push({ t: p.start + p.lead + p.tail, seq: 2 * i + 1, op: done });
    }
  });
  events.sort((a, b) => a.t - b.t || a.seq - b.seq);
  return events.map((e, index) => ({ ...e.op, index, time: e.t }));
}

/** Replace the values of some `ok` reads with arbitrary ones (which may break linearizability). */
export function mutateReads(history: readonly Op[], picks: readonly number[], values: readonly unknown[]): Op[] {
  const reads = history.map((o, i) => (o.type === 'ok' && (o.f === 'read' || o.f === 'get') ? i : -1)).filter((i) => i >= 0);
  const out = history.map((o) => ({ ...o }));
  picks.forEach((p, j) => {
    if (reads.length === 0) return;
    out[reads[p % reads.length]!]!.value = values[j % values.length];
  });
  return out;
}
