/**
 * The plainest evidence a register history can hold: a read that returned a value already
 * overwritten. When a read R returned v, a write W (of another value) completed before R
 * began, and every operation that could have written v (a write of v, a cas to v, whatever its
 * outcome, invoked before R completed) had completed before W began, then v was gone before R
 * started: no order consistent with real time lets R see it. That is what a person points at
 * in a stale-read bug (an old leader serving reads), so explanations lead with it when the
 * history holds one, before the search's own account.
 *
 * Sound for register operations (`read`, `write`, `cas` [old, new]); other operations are not
 * looked at. The initial value counts as written before the history began.
 */
import { describeOp, interval, type LinOp } from './entries.js';

export interface StaleRead {
  read: LinOp;
  /** The completed write that replaced the value before the read began. */
  overwrite: LinOp;
  /** Operations that wrote the value read (none when it is the initial value). */
  writers: LinOp[];
}

/** A value as a map key: its JSON (a finite number's JSON is its string, cheaper to make). */
const keyOf = (v: unknown): string => (typeof v === 'number' && Number.isFinite(v) ? String(v) : JSON.stringify(v ?? null));

const same = (a: unknown, b: unknown): boolean => keyOf(a) === keyOf(b);

/** The value `op` leaves in the register, if it may write one. */
function written(op: LinOp): { value: unknown } | undefined {
  if (op.f === 'write') return { value: op.input ?? null };
  if (op.f === 'cas' && Array.isArray(op.input) && op.input.length === 2) return { value: op.input[1] ?? null };
  return undefined;
}

/** First index of `xs` (sorted by `at`) whose `at` is >= `x`. */
function lowerBound<T>(xs: readonly T[], x: number, at: (t: T) => number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (at(xs[mid]!) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A stale read among `ops` (one key's operations; failed ones already left out), preferring
 * one whose read is in `prefer` (the failing window), else the earliest. O(n log n).
 */
export function findStaleRead(ops: readonly LinOp[], prefer: ReadonlySet<LinOp> = new Set()): StaleRead | undefined {
  // Completed writes by completion, with the latest-invoked one among each prefix.
  const done = ops.filter((op) => written(op) !== undefined && Number.isFinite(op.ret)).sort((a, b) => a.ret - b.ret);
  const latest: LinOp[] = [];
  for (const op of done) latest.push(latest.length > 0 && latest[latest.length - 1]!.call > op.call ? latest[latest.length - 1]! : op);
  // Writers of each value by invocation, with the latest completion among each prefix.
  const byValue = new Map<string, { ops: LinOp[]; lastRet: number[] }>();
  for (const op of [...ops].sort((a, b) => a.call - b.call)) {
    const w = written(op);
    if (!w) continue;
    const key = keyOf(w.value);
    const entry = byValue.get(key) ?? { ops: [], lastRet: [] };
    entry.lastRet.push(Math.max(entry.lastRet.at(-1) ?? Number.NEGATIVE_INFINITY, op.ret));
    entry.ops.push(op);
    byValue.set(key, entry);
  }
  let found: StaleRead | undefined;
  for (const read of ops) {
    if (read.f !== 'read' || !Number.isFinite(read.ret)) continue;
    const value = read.output ?? null;
    const writers = byValue.get(keyOf(value));
    const k = writers ? lowerBound(writers.ops, read.ret, (op) => op.call) : 0;
    if (k === 0 && value !== null) continue; // Never written: another kind of anomaly.
    const gone = k === 0 ? Number.NEGATIVE_INFINITY : writers!.lastRet[k - 1]!;
    const j = lowerBound(done, read.call, (op) => op.ret) - 1;
    const overwrite = j >= 0 ? latest[j]! : undefined;
    if (!overwrite || overwrite.call <= gone || same(written(overwrite)!.value, value)) continue;
    const candidate = { read, overwrite, writers: k === 0 ? [] : writers!.ops.slice(Math.max(0, k - 2), k) };
    if (prefer.has(read)) return candidate;
    if (!found || read.call < found.read.call) found = candidate;
  }
  return found;
}

/**
 * The stale read among `ops` in words, leading an explanation, with the read and the write that
 * overwrote its value (the earlier writer is named in the text, by history index); keys are
 * searched apart (one search may cover several). Prefers a read of `window`.
 */
export function staleReadEvidence(ops: readonly LinOp[], window: readonly LinOp[]): { summary: string; text: string; ops: LinOp[] } | undefined {
  const byKey = new Map<string | undefined, LinOp[]>();
  for (const op of ops) {
    const list = byKey.get(op.key);
    if (list) list.push(op);
    else byKey.set(op.key, [op]);
  }
  const prefer = new Set(window);
  let best: StaleRead | undefined;
  for (const list of byKey.values()) {
    const found = findStaleRead(list, prefer);
    if (!found) continue;
    const better = !best || (prefer.has(found.read) && !prefer.has(best.read)) || (prefer.has(found.read) === prefer.has(best.read) && found.read.call < best.read.call);
    if (better) best = found;
  }
  if (!best) return undefined;
  const { read, overwrite, writers } = best;
  const value = JSON.stringify(read.output ?? null);
  const last = writers.at(-1);
  const source = last ? `every write of ${value} had completed before that (the last: ${describeOp(last)} ${interval(last)})` : `${value} is the initial value`;
  const text =
    `Stale read: ${describeOp(read)} ${interval(read)} returned ${value}, which ${describeOp(overwrite)} ${interval(overwrite)} had already overwritten: ` +
    `that write completed before the read began, and ${source}. No order consistent with real time lets the read see ${value}.`;
  const summary = `process ${String(read.invoke.process)} read ${value} after process ${String(overwrite.invoke.process)}'s ${overwrite.f} of ${JSON.stringify(written(overwrite)!.value)} had replaced it`;
  return { summary, text, ops: [read, overwrite] };
}
