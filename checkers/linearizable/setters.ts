/**
 * Operations that may set values, indexed by the value they set or the suffix they append,
 * with what the value refutations (values.ts) and the search's reset constraints
 * (reset-constraints.ts) ask of them: is there one invoked before a point and completed after
 * another, how many were invoked before a point.
 */
import { INF } from './compile.js';
import type { ValueFacts } from './value-algebra.js';

/** Operations that may set values, by the value they set or the suffix they append. */
export class SetterIndex {
  private readonly sets = new Map<string, number[]>();
  private readonly appends = new Map<string, number[]>();
  /** Distinct lengths of set values and of appended suffixes (to look up prefixes and suffixes). */
  private readonly setLengths = new Set<number>();
  private readonly appendLengths = new Set<number>();
  /** Per list: prefix maxima of completion positions, and the second best, by list position. */
  private readonly best = new Map<number[], { top: Int32Array; second: Int32Array }>();
  /** Per list: its operations of unknown outcome (no completion). */
  private readonly unknown = new Map<number[], number[]>();

  constructor(
    private readonly facts: ValueFacts,
    private readonly call: ArrayLike<number>,
    private readonly ret: ArrayLike<number>,
  ) {
    const effects = facts.effects;
    for (let i = 0; i < effects.length; i++) {
      const eff = effects[i];
      if (eff === undefined) continue;
      if ('set' in eff) this.file(this.sets, this.setLengths, eff.set, i);
      else if (eff.append !== '') this.file(this.appends, this.appendLengths, eff.append, i);
    }
    for (const list of this.sets.values()) this.rank(list);
    for (const list of this.appends.values()) this.rank(list);
  }

  /** Add op `i` to the list of `key` in `map`. */
  private file(map: Map<string, number[]>, lengths: Set<number>, key: string, i: number): void {
    const list = map.get(key);
    if (list) list.push(i);
    else map.set(key, [i]);
    lengths.add(key.length);
  }

  /** The prefix maxima of completion positions of `list`, and the second best. */
  private rank(list: number[]): void {
    const top = new Int32Array(list.length);
    const second = new Int32Array(list.length);
    let a = -1;
    let b = -1;
    for (let k = 0; k < list.length; k++) {
      const s = list[k]!;
      if (a < 0 || this.ret[s]! > this.ret[a]!) {
        b = a;
        a = s;
      } else if (b < 0 || this.ret[s]! > this.ret[b]!) b = s;
      top[k] = a;
      second[k] = b;
    }
    this.best.set(list, { top, second });
  }

  /** Lists of operations that may leave `v` (sets of v, appends of a suffix of v). */
  leaving(v: string): number[][] {
    const out: number[][] = [];
    const exact = this.sets.get(v);
    if (exact) out.push(exact);
    for (const len of this.appendLengths) {
      if (len === 0 || len > v.length) continue;
      const list = this.appends.get(v.slice(v.length - len));
      if (list) out.push(list);
    }
    return out;
  }

  /** Lists of operations that set a value `v` begins with (for values that grow by appends). */
  resetting(v: string): number[][] {
    const out: number[][] = [];
    for (const len of this.setLengths) {
      if (len > v.length) continue;
      const list = this.sets.get(v.slice(0, len));
      if (list) out.push(list);
    }
    return out;
  }

  /** An operation of `lists` other than `not`, invoked before `before` and completing after `after`; -1 when none. */
  findIn(lists: number[][], before: number, after: number, not: number): number {
    for (const list of lists) {
      const k = this.invokedBefore(list, before) - 1;
      if (k < 0) continue;
      const { top, second } = this.best.get(list)!;
      const s = top[k] !== not ? top[k]! : second[k]!;
      if (s >= 0 && this.ret[s]! > after) return s;
    }
    return -1;
  }

  /** How many of the operations in `lists` were invoked before `before`. */
  countIn(lists: number[][], before: number): number {
    let count = 0;
    for (const list of lists) count += this.invokedBefore(list, before);
    return count;
  }

  /** Up to 16 of the operations in `lists` invoked before `before`. */
  someIn(lists: number[][], before: number): number[] {
    return lists.flatMap((list) => list.slice(0, this.invokedBefore(list, before))).slice(0, 16);
  }

  /** The operations of `list` that never completed, ascending by invocation. */
  unknownOutcome(list: number[]): number[] {
    let u = this.unknown.get(list);
    if (!u) this.unknown.set(list, (u = list.filter((s) => this.ret[s] === INF)));
    return u;
  }

  /** How many of `list` (ascending by invocation) were invoked before `before`. */
  invokedBefore(list: number[], before: number): number {
    let a = 0;
    let b = list.length;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (this.call[list[m]!]! < before) a = m + 1;
      else b = m;
    }
    return a;
  }
}
