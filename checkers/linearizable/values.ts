/**
 * Refutations by reasoning about values, before any search: cheap, sound, and decisive on
 * histories whose search space is huge but whose contradiction is plain.
 *
 * Why these arguments: every operation takes effect at most once, at one instant inside its
 * interval, and failed operations not at all. So, for a value v of a key (facts in
 * value-algebra.ts):
 *
 * 1. Written in time. If an operation R observed v, and an operation E that completed before R
 *    began left the value surely not v (or E is the start of history and v is not the initial
 *    value), then some operation S that may set v took effect between E and R: S was invoked
 *    before R completed and completed (or never did) after E was invoked. No such S: refuted.
 *    This catches reads of values nobody wrote, stale reads, and reads of the initial value
 *    after it is surely gone.
 * 2. Reset in time (values that grow by appends). After E, appends alone keep what E left at the
 *    front and what E appended inside; if R's value lacks it, some operation that sets a value
 *    v begins with took effect between E and R.
 * 3. Counting. Take operations that follow one another in real time (a chain). Each time the
 *    chain observes v after an operation that left something else, a stretch of v began in
 *    between, begun by its own operation that sets v; operations of the chain that set v are
 *    such operations too. If a chain needs more of them than there are operations that may
 *    set v, invoked before its end, it is refuted. The longest chain for each v is a sweep
 *    over the history (dynamic programming over real-time order).
 *
 * Each argument only ever says "impossible" when no linearization exists; the search remains
 * the judge otherwise. test/checkers/values.spec.ts holds them to the brute-force oracle.
 */
import { INF, type OpLike } from './compile.js';
import { NEVER } from './entries.js';
import { SetterIndex } from './setters.js';
import { byCompletion } from './time-order.js';
import { ValueFacts, type ValueAlgebra } from './value-algebra.js';

/** Why a history is refuted by values; ids index the operations passed in. */
export interface ValueRefutation {
  kind: 'values';
  rule: 'written-in-time' | 'reset-in-time' | 'counting';
  /** The operation that observed the impossible value. */
  target: number;
  /** The value, as the algebra writes it. */
  value: string;
  /** The operation after which the value had to be set again (-1: the start of history). */
  witness: number;
  /** Counting: the chain of operations, in real-time order, ending at `target`. */
  chain: number[];
  /** Counting: operations of the chain that set the value, and stretches begun between them. */
  needed: number;
  /** The operations that could have set the value (counting: all invoked before `target` completed). */
  setters: number[];
}

/** Operations scanned back for the latest witness of an observation. */
const WITNESS_SCAN = 32;
/** Most sweep steps (events) the counting argument spends on one problem. */
const COUNT_BUDGET = 16_000_000;

/**
 * Refute the operations of one key (in invocation order, `ret` = `NEVER` for unknown outcomes)
 * by the arguments above, or return undefined when none applies.
 */
export function refuteByValues(ops: readonly OpLike[], algebra: ValueAlgebra): ValueRefutation | undefined {
  const n = ops.length;
  const call = new Int32Array(n);
  const ret = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    call[i] = ops[i]!.call;
    ret[i] = ops[i]!.ret === NEVER ? INF : ops[i]!.ret;
  }
  const facts = new ValueFacts(algebra, ops, (i) => ret[i] !== INF);
  const index = new SetterIndex(facts, call, ret);
  const byRet = byCompletion(ret);
  return inTime(facts, index, call, ret, byRet) ?? counting(facts, index, call, ret, byRet);
}

/** Arguments 1 and 2, for every observation. */
function inTime(facts: ValueFacts, index: SetterIndex, call: Int32Array, ret: Int32Array, byRet: Int32Array): ValueRefutation | undefined {
  const done: number[] = [];
  let j = 0;
  for (let r = 0; r < call.length; r++) {
    const v = facts.observed[r];
    if (v === undefined) continue;
    while (j < byRet.length && ret[byRet[j]!]! < call[r]!) done.push(byRet[j++]!);
    const refuted = ruleRefutes(facts, index, call, ret, done, r, v, 'written-in-time') ?? (facts.appends ? ruleRefutes(facts, index, call, ret, done, r, v, 'reset-in-time') : undefined);
    if (refuted) return refuted;
  }
  return undefined;
}

/**
 * Argument 1 (`written-in-time`) or 2 (`reset-in-time`, for values that grow by appends) for
 * observation `r` of `v`, given the operations `done` that completed before `r` was invoked.
 */
function ruleRefutes(
  facts: ValueFacts,
  index: SetterIndex,
  call: Int32Array,
  ret: Int32Array,
  done: readonly number[],
  r: number,
  v: string,
  rule: 'written-in-time' | 'reset-in-time',
): ValueRefutation | undefined {
  const written = rule === 'written-in-time';
  const initial = facts.algebra.initial;
  const atStart = written || !facts.appends ? v !== initial : !v.startsWith(initial);
  const e = latestWitness(done, call, facts, v, written);
  if (e < 0 && !atStart) return undefined;
  const ls = written ? index.leaving(v) : index.resetting(v);
  if (index.findIn(ls, ret[r]!, e < 0 ? -1 : call[e]!, r) >= 0) return undefined;
  const setters = ls.flat().filter((s) => s !== r);
  return { kind: 'values', rule, target: r, value: v, witness: e, chain: [], needed: 1, setters: setters.slice(0, 16) };
}

/**
 * The latest-invoked of the last few completed operations after which the value is surely not
 * `v` (`written`) or needs a reset to become `v`; -1 when none.
 */
function latestWitness(done: readonly number[], call: Int32Array, facts: ValueFacts, v: string, written: boolean): number {
  let best = -1;
  for (let k = done.length - 1; k >= 0 && k >= done.length - WITNESS_SCAN; k--) {
    const e = done[k]!;
    if ((best < 0 || call[e]! > call[best]!) && (written ? facts.surelyNot(e, v) : facts.needsReset(e, v))) best = e;
  }
  return best;
}

/** Argument 3: for each value observed more than once (or observed and set in chains), the longest chain. */
function counting(facts: ValueFacts, index: SetterIndex, call: Int32Array, ret: Int32Array, byRet: Int32Array): ValueRefutation | undefined {
  const n = call.length;
  const relevant = new Map<string, { obs: number; first: number; last: number }>();
  for (let i = 0; i < n; i++) {
    const v = facts.observed[i];
    if (v === undefined) continue;
    const r = relevant.get(v);
    if (r) {
      r.obs++;
      r.last = Math.max(r.last, ret[i]!);
    } else relevant.set(v, { obs: 1, first: i, last: ret[i]! });
  }
  // Ok operations that set a value take part in chains too; they widen the value's span.
  for (let i = 0; i < n; i++) {
    if (ret[i] === INF) continue;
    const eff = facts.effects[i];
    const v = eff && 'set' in eff ? eff.set : undefined;
    const r = v !== undefined ? relevant.get(v) : undefined;
    if (r) {
      r.obs++;
      r.first = Math.min(r.first, i);
      r.last = Math.max(r.last, ret[i]!);
    }
  }
  const values = [...relevant.entries()].filter(([, r]) => r.obs >= 2).sort((a, b) => b[1].obs - a[1].obs);
  let budget = COUNT_BUDGET;
  const f = new Int32Array(n);
  const pred = new Int32Array(n);
  for (const [v, span] of values) {
    // Before its span every chain has stretched v 0 times; only the initial value's chains
    // depend on what completed before (whether the initial value is surely gone).
    const from = v === facts.algebra.initial ? 0 : span.first;
    const cost = 2 * (n - from);
    if (cost > budget) continue;
    budget -= cost;
    const r = sweep(facts, index, call, ret, byRet, v, from, span.last, f, pred);
    if (r) return r;
  }
  return undefined;
}

/** The counting sweep for value `v` over ops invoked from op `from` until position `until`. */
function sweep(
  facts: ValueFacts,
  index: SetterIndex,
  call: Int32Array,
  ret: Int32Array,
  byRet: Int32Array,
  v: string,
  from: number,
  until: number,
  f: Int32Array,
  pred: Int32Array,
): ValueRefutation | undefined {
  const NONE = -(2 ** 30);
  let bestAny = 0;
  let bestAnyArg = -1;
  let bestNot = v !== facts.algebra.initial ? 0 : NONE;
  let bestNotArg = -1;
  // Completions before the span are of operations outside it (f = 0); v is not the initial
  // value when the span starts late, so they cannot change bestNot either.
  let j = from === 0 ? 0 : firstCompletingAfter(byRet, ret, call[from]!);
  const leaving = index.leaving(v);
  for (let i = from; i < call.length && call[i]! <= until; i++) {
    // Completions before this invocation first.
    while (j < byRet.length && ret[byRet[j]!]! < call[i]!) {
      const e = byRet[j++]!;
      if (e < from) {
        // Outside the span: f = 0 (an underestimate is safe), so it can only make bestNot 0.
        if (bestNot === NONE && facts.surelyNot(e, v)) bestNot = 0;
        continue;
      }
      if (f[e]! > bestAny) {
        bestAny = f[e]!;
        bestAnyArg = e;
      }
      if (f[e]! > bestNot && facts.surelyNot(e, v)) {
        bestNot = f[e]!;
        bestNotArg = e;
      }
    }
    if (ret[i] === INF) {
      f[i] = NONE;
      continue;
    }
    let best = bestAny;
    let arg = bestAnyArg;
    if (facts.observed[i] === v && bestNot + 1 > best) {
      best = bestNot + 1;
      arg = bestNotArg;
    }
    f[i] = best + (facts.mayLeave(i, v) ? 1 : 0);
    pred[i] = arg;
    if (f[i]! > index.countIn(leaving, ret[i]!)) {
      const chain: number[] = [];
      for (let k = i; k >= 0 && chain.length < 64; k = pred[k]!) chain.push(k);
      return { kind: 'values', rule: 'counting', target: i, value: v, witness: -1, chain: chain.reverse(), needed: f[i]!, setters: index.someIn(leaving, ret[i]!) };
    }
  }
  return undefined;
}

/** Position in `byRet` (ops by completion) of the first op completing at or after `pos`. */
function firstCompletingAfter(byRet: Int32Array, ret: Int32Array, pos: number): number {
  let a = 0;
  let b = byRet.length;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (ret[byRet[m]!]! < pos) a = m + 1;
    else b = m;
  }
  return a;
}
