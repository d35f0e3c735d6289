/**
 * Reset constraints: operations that must be followed by a reset, and the operations that could
 * be that reset, so the search can drop an order as soon as it has used up every candidate.
 *
 * Why: take an operation E that completed `ok` and an observation R (a read, a get) invoked
 * after E completed, whose value E's effect rules out until something sets the value again
 * (value-algebra.ts's `needsReset`: a register written with another value, a kv key whose
 * value lost what E appended). In any linearization, some operation S that may reset toward R's
 * value (`mayReset`) takes effect between E and R; S was invoked before R completed and
 * completed after E was invoked. So once every such S is linearized while E is not, E can only
 * come after all of them, and no completion of the order exists. The search finds that out
 * anyway, but only when it reaches R, after trying every order of what lies in between; on
 * histories with long-running operations that is most of its work. Each E gets the constraint
 * of the first observation after it that it rules out (the smallest set of candidates S).
 */
import { INF, opView, type Compiled } from './compile.js';
import { SetterIndex } from './setters.js';
import { byCompletion } from './time-order.js';
import { ValueFacts, type ValueAlgebra } from './value-algebra.js';

/** The constraints of one problem, indexed both ways. */
export interface ResetConstraints {
  /** Constraint k: E. */
  witness: Int32Array;
  /** Constraint k: how many operations could be its reset. */
  size: Int32Array;
  /** By operation s: the constraints it could reset, `of[start[s]..start[s + 1])`. */
  start: Int32Array;
  of: Int32Array;
  /** By operation x: the resets it must follow, `after[afterStart[x]..afterStart[x + 1])`. */
  afterStart: Int32Array;
  after: Int32Array;
  /** By observation g: its read constraint (how many operations could reset toward it), or -1. */
  readOf: Int32Array;
  readSize: Int32Array;
  /** By operation s: the read constraints it could reset, `readBy[readStart[s]..readStart[s + 1])`. */
  readStart: Int32Array;
  readBy: Int32Array;
}

/** Observations scanned after E for one it rules out. */
const SCAN = 16;
/** Constraints with more candidate resets than this are too weak to be worth their memory. */
const MAX_RESETS = 16;

const cache = new WeakMap<object, ResetConstraints | null>();

/** The problem's reset constraints under `algebra`, or undefined when there are none. Cached. */
export function resetConstraints<S>(p: Compiled<S>, algebra: ValueAlgebra): ResetConstraints | undefined {
  const known = cache.get(p);
  if (known !== undefined) return known ?? undefined;
  const built = build(p, algebra);
  cache.set(p, built ?? null);
  return built;
}

function build<S>(p: Compiled<S>, algebra: ValueAlgebra): ResetConstraints | undefined {
  const n = p.n;
  const ops = Array.from({ length: n }, (_, i) => opView(p, i));
  const facts = new ValueFacts(algebra, ops, (i) => p.ret[i] !== INF);
  const index = new SetterIndex(facts, p.call, p.ret);
  let longest = 0;
  for (let i = 0; i < n; i++) if (p.ret[i] !== INF) longest = Math.max(longest, p.ret[i]! - p.call[i]!);
  // Observations per key group, in invocation order (ops ascend by invocation).
  const byGroup = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    if (facts.observed[i] === undefined) continue;
    let list = byGroup.get(p.group[i]!);
    if (!list) byGroup.set(p.group[i]!, (list = []));
    list.push(i);
  }
  const witness: number[] = [];
  const resets: number[][] = [];
  for (let e = 0; e < n; e++) {
    const observers = byGroup.get(p.group[e]!);
    if (!observers || p.ret[e] === INF || (facts.left[e] === undefined && facts.effects[e] === undefined)) continue;
    // The first observation of its key invoked after E completed.
    let a = 0;
    let b = observers.length;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (p.call[observers[m]!]! < p.ret[e]!) a = m + 1;
      else b = m;
    }
    for (let k = a; k < observers.length && k < a + SCAN; k++) {
      const r = observers[k]!;
      const v = facts.observed[r]!;
      if (!facts.needsReset(e, v)) continue;
      const candidates = resetsBetween(p, facts, index, v, p.call[e]!, p.ret[r]!, e, longest);
      // None at all: the value refutations' business (values.ts), not a constraint's.
      if (candidates && candidates.length > 0) {
        witness.push(e);
        resets.push(candidates);
      }
      break;
    }
  }
  // Read constraints: the operations that could reset toward each observation's value.
  const readOf = new Int32Array(n).fill(-1);
  const readResets: number[][] = [];
  for (const observers of byGroup.values()) {
    for (const g of observers) {
      if (p.ret[g] === INF) continue;
      const candidates = resetsBetween(p, facts, index, facts.observed[g]!, Number.NEGATIVE_INFINITY, p.ret[g]!, g, longest);
      if (!candidates) continue;
      readOf[g] = readResets.length;
      readResets.push(candidates);
    }
  }
  const follows = soleSources(p, facts, index, byGroup);
  if (witness.length === 0 && readResets.length === 0 && follows.every((l) => l.length === 0)) return undefined;
  const [start, of] = csr(invert(resets, n));
  const [readStart, readBy] = csr(invert(readResets, n));
  const [afterStart, after] = csr(follows);
  return {
    witness: Int32Array.from(witness),
    size: Int32Array.from(resets, (l) => l.length),
    start,
    of,
    afterStart,
    after,
    readOf,
    readSize: Int32Array.from(readResets, (l) => l.length),
    readStart,
    readBy,
  };
}

/** Most operations looked at to gather the resets of one constraint. */
const GATHER = 256;

/**
 * The operations of `not`'s key (other than `not`) that may reset toward `v`, invoked before
 * `before` and completed after `after`; undefined when there are more than `MAX_RESETS` (too
 * weak a constraint) or too many to look at. Operations of unknown outcome never complete, so
 * each one invoked in time is a candidate; the others are found scanning back from `before`
 * until no earlier one can still be running at `after` (`longest`: the longest duration).
 */
function resetsBetween<S>(p: Compiled<S>, facts: ValueFacts, index: SetterIndex, v: string, after: number, before: number, not: number, longest: number): number[] | undefined {
  const out: number[] = [];
  const take = (s: number): boolean => {
    if (s !== not && p.group[s] === p.group[not] && p.ret[s]! > after && facts.mayReset(s, v)) out.push(s);
    return out.length <= MAX_RESETS;
  };
  let looked = 0;
  for (const list of index.resetting(v)) {
    const unknown = index.unknownOutcome(list);
    const k = index.invokedBefore(unknown, before);
    if (k > MAX_RESETS) return undefined;
    for (let j = 0; j < k; j++) if (!take(unknown[j]!)) return undefined;
    for (let j = index.invokedBefore(list, before) - 1; j >= 0; j--) {
      const s = list[j]!;
      if (p.ret[s] === INF) continue;
      if (p.call[s]! + longest < after) break;
      if (++looked > GATHER || !take(s)) return undefined;
    }
  }
  return out;
}

/** For lists of operations by constraint, the constraints by operation. */
function invert(lists: readonly number[][], n: number): number[][] {
  const out: number[][] = Array.from({ length: n }, () => []);
  lists.forEach((list, k) => {
    for (const s of list) out[s]!.push(k);
  });
  return out;
}

/** Lists by operation, as offsets and one flat array. */
function csr(lists: readonly number[][]): [Int32Array, Int32Array] {
  const start = new Int32Array(lists.length + 1);
  lists.forEach((l, i) => (start[i + 1] = start[i]! + l.length));
  const flat = new Int32Array(start[lists.length]!);
  lists.forEach((l, i) => flat.set(l, start[i]!));
  return [start, flat];
}

/**
 * Order constraints: a reset P that completed `ok`, and the first observation R of its key
 * invoked after P completed. Whatever R saw was made after the last reset before R, so after
 * P: an operation that is the only possible source of R's value (the only one that sets it),
 * or of part of it (the only operation whose value contains what it appends), must take
 * effect after P. Only operations concurrent with P matter (the others are ordered with it by
 * real time). By operation x: the resets it must follow.
 */
function soleSources<S>(p: Compiled<S>, facts: ValueFacts, index: SetterIndex, byGroup: Map<number, number[]>): number[][] {
  const n = p.n;
  const out: number[][] = Array.from({ length: n }, () => []);
  const text = (i: number): string | undefined => {
    const e = facts.effects[i];
    return e === undefined ? undefined : 'set' in e ? e.set : e.append;
  };
  // How many operations of a key have a value containing a string (counting stops at 2).
  const byKey = new Map<number, number[]>();
  for (let i = 0; i < n; i++) if (text(i)) (byKey.get(p.group[i]!) ?? byKey.set(p.group[i]!, []).get(p.group[i]!)!).push(i);
  const setters = new Map<string, number>();
  const setterCount = (g: number, v: string): number => {
    const key = `${g}\u0000${v}`;
    let c = setters.get(key);
    if (c === undefined) setters.set(key, (c = index.leaving(v).reduce((k, l) => k + l.filter((i) => p.group[i] === g).length, 0)));
    return c;
  };
  const containing = new Map<string, number>();
  const sources = (g: number, a: string): number => {
    const key = `${g}\u0000${a}`;
    let c = containing.get(key);
    if (c === undefined) {
      c = 0;
      for (const i of byKey.get(g) ?? []) if (text(i)!.includes(a) && ++c >= 2) break;
      containing.set(key, c);
    }
    return c;
  };
  for (const [P, concurrent] of concurrentWithResets(p, facts)) {
    const g = p.group[P]!;
    const observers = byGroup.get(g);
    if (!observers) continue;
    let lo = 0;
    let hi = observers.length;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      if (p.call[observers[m]!]! <= p.ret[P]!) lo = m + 1;
      else hi = m;
    }
    const r = observers[lo];
    if (r === undefined) continue;
    const v = facts.observed[r]!;
    for (const x of concurrent) {
      if (p.group[x] !== g) continue;
      const eff = facts.effects[x];
      if (!eff) continue;
      const sole =
        'set' in eff
          ? !facts.appends && eff.set === v && setterCount(g, v) === 1
          : eff.append !== '' && v.includes(eff.append) && sources(g, eff.append) === 1;
      if (sole) out[x]!.push(P);
    }
  }
  return out;
}

/** Each reset that completed `ok`, with the operations whose intervals overlap its own. */
function concurrentWithResets<S>(p: Compiled<S>, facts: ValueFacts): Map<number, number[]> {
  const isReset = (i: number): boolean => {
    const e = facts.effects[i];
    return e !== undefined && 'set' in e && p.ret[i] !== INF;
  };
  const out = new Map<number, number[]>();
  // Operations with a completion still running, and the resets among them. (Operations of
  // unknown outcome never complete and could be sources of anything: left out.)
  const open = new Set<number>();
  const openResets = new Set<number>();
  // Events in time order: invocations ascend with ids; completions by position.
  const byRet = byCompletion(p.ret);
  let j = 0;
  for (let i = 0; i <= p.n; i++) {
    const at = i < p.n ? p.call[i]! : Number.POSITIVE_INFINITY;
    for (; j < byRet.length && p.ret[byRet[j]!]! < at; j++) {
      open.delete(byRet[j]!);
      openResets.delete(byRet[j]!);
    }
    if (i === p.n) break;
    if (p.ret[i] === INF) continue;
    // Op i begins: it overlaps every reset still open, and an opening reset overlaps all open ops.
    for (const o of openResets) out.get(o)!.push(i);
    if (isReset(i)) {
      out.set(i, [...open]);
      openResets.add(i);
    }
    open.add(i);
  }
  return out;
}
