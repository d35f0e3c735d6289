/**
 * A brute-force linearizability oracle for tiny histories, written independently of the
 * checker: it tries every order of the operations consistent with real time (and every choice
 * of which unknown-outcome operations took effect) and asks the model about each.
 */
import type { Model } from '../../src/api/model.js';
import type { Op } from '../../src/api/op.js';

interface OracleOp {
  f: string;
  input: unknown;
  output: unknown;
  call: number;
  ret: number;
  optional: boolean;
}

/** The operations a history asserts, by the same conventions as the checker's brief. */
export function oracleOps(history: readonly Op[], readFs: readonly string[] = ['read', 'get']): OracleOp[] {
  const open = new Map<number, { op: Op; pos: number }>();
  const out: OracleOp[] = [];
  const unknown = (inv: Op, pos: number): void => {
    if (!readFs.includes(inv.f)) out.push({ f: inv.f, input: inv.value, output: undefined, call: pos, ret: Infinity, optional: true });
  };
  history.forEach((op, pos) => {
    if (op.process === 'nemesis') return;
    if (op.type === 'invoke') {
      const prev = open.get(op.process);
      if (prev) unknown(prev.op, prev.pos);
      open.set(op.process, { op, pos });
      return;
    }
    const inv = open.get(op.process);
    if (!inv) return;
    open.delete(op.process);
    if (op.type === 'ok') out.push({ f: inv.op.f, input: inv.op.value, output: op.value, call: inv.pos, ret: pos, optional: false });
    else if (op.type === 'info') unknown(inv.op, inv.pos);
  });
  for (const { op, pos } of open.values()) unknown(op, pos);
  return out;
}

/** True when some real-time-respecting order of some allowed subset satisfies the model. */
export function bruteForceLinearizable<S>(model: Model<S>, history: readonly Op[]): boolean {
  const ops = oracleOps(history);
  const n = ops.length;
  const used = new Array<boolean>(n).fill(false);
  const seen = new Set<string>();
  const go = (state: S, count: number): boolean => {
    // Done when every op that must have happened has been placed.
    if (ops.every((o, i) => used[i] || o.optional)) return true;
    const memo = `${used.map((u) => (u ? 1 : 0)).join('')}|${model.hash(state)}`;
    if (seen.has(memo)) return false;
    seen.add(memo);
    for (let i = 0; i < n; i++) {
      if (used[i]) continue;
      const o = ops[i]!;
      // o may go next only if no unplaced mandatory op completed before o was invoked,
      // and no unplaced optional op did either (optional ops never complete).
      const blocked = ops.some((p, j) => j !== i && !used[j] && !p.optional && p.ret < o.call);
      if (blocked) continue;
      const next = model.step(state, o.f, o.input, o.output);
      if (next === undefined) continue;
      used[i] = true;
      if (go(next, count + 1)) return true;
      used[i] = false;
    }
    return false;
  };
  return go(model.init(), 0);
}
