/**
 * What an operation says about the value of its key, for refutations that reason about values
 * before any search (values.ts): which value an operation observed, which it left behind, and
 * how it could set the value. A model states these facts as a `ValueAlgebra`; the predicates
 * below derive everything the refutations ask from them, the same way for every model.
 */
import type { OpLike } from './compile.js';

/** How an operation that takes effect changes the value. */
export type Effect = { set: string } | { append: string };

/**
 * A model's value facts. Values are canonical strings (equal values, equal strings). Every fact
 * is a promise the refutations rely on for soundness.
 */
export interface ValueAlgebra {
  /** The value every key starts with. */
  readonly initial: string;
  /** The value an operation that completed `ok` found when it took effect (a read, a cas's expected value). */
  observes(op: OpLike): string | undefined;
  /** The value an operation that completed `ok` surely left behind, when that is known without the state. */
  leaves(op: OpLike): string | undefined;
  /** What an operation does to the value when it takes effect (undefined: nothing). */
  effect(op: OpLike): Effect | undefined;
  /** A value in words, for explanations. */
  describe(v: string): string;
}

/** The predicates of the refutations, for one problem's operations. */
export class ValueFacts {
  /** Some operation appends: values grow, and only a `set` resets them. */
  readonly appends: boolean;
  readonly observed: (string | undefined)[];
  readonly left: (string | undefined)[];
  readonly effects: (Effect | undefined)[];

  constructor(
    readonly algebra: ValueAlgebra,
    ops: readonly OpLike[],
    /** 1 for operations that completed `ok` (their observations and results are facts). */
    ok: (i: number) => boolean,
  ) {
    this.observed = ops.map((op, i) => (ok(i) ? algebra.observes(op) : undefined));
    this.left = ops.map((op, i) => (ok(i) ? algebra.leaves(op) : undefined));
    this.effects = ops.map((op) => algebra.effect(op));
    this.appends = this.effects.some((e) => e !== undefined && 'append' in e && e.append !== '');
  }

  /** After op `e` (completed ok) took effect, the value is surely not `v`. */
  surelyNot(e: number, v: string): boolean {
    const u = this.left[e];
    if (u !== undefined) return u !== v;
    const eff = this.effects[e];
    return eff !== undefined && 'append' in eff && !v.endsWith(eff.append);
  }

  /** Op `s`, taking effect, may change the value to `v` (it may begin a stretch of `v`). */
  mayLeave(s: number, v: string): boolean {
    const eff = this.effects[s];
    if (eff === undefined) return false;
    return 'set' in eff ? eff.set === v : eff.append !== '' && v.endsWith(eff.append);
  }

  /**
   * After op `e` (completed ok), the value can become `v` only through an operation that sets
   * it: appends alone cannot (what `e` left, or the suffix it appended, is not where `v` has it).
   */
  needsReset(e: number, v: string): boolean {
    if (!this.appends) return this.surelyNot(e, v);
    const u = this.left[e];
    if (u !== undefined) return !v.startsWith(u);
    const eff = this.effects[e];
    return eff !== undefined && 'append' in eff && !v.includes(eff.append);
  }

  /** Op `s` may be the last operation that set the value before `v` was observed. */
  mayReset(s: number, v: string): boolean {
    const eff = this.effects[s];
    if (eff === undefined || !('set' in eff)) return false;
    return this.appends ? v.startsWith(eff.set) : eff.set === v;
  }
}
