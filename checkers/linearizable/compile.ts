/**
 * The search's view of a problem: operations as small integers in typed arrays, states
 * interned to integers, and transitions cached in a table.
 *
 * Why: the search runs millions of steps; every one of them must be an array read, not a
 * `Model.step` call, a string hash or an allocation. `Model.step` runs once per distinct
 * (operation class, state) pair; operations with equal signatures share a class.
 */
import type { CheckerModel } from './models.js';
import { canonicalJson } from './models.js';
import { NEVER, type LinOp } from './entries.js';
import { ProductSpace } from './product-space.js';

/** Stand-in for +∞ completion positions in the typed arrays. */
export const INF = 0x7fffffff;

/** What the search and the explanation need of a state space. */
export interface Space {
  /** Number of operation classes. */
  readonly classes: number;
  /** The state after class `cls` in state `s`, or -1 when the model forbids it. */
  next(cls: number, s: number): number;
  /** A state in words; for keyed models, only the part that concerns `key` when given. */
  describe(s: number, key?: string): string;
}

/** Interned states and a transition cache for one search. */
export class StateSpace<S> implements Space {
  /** State values by id. */
  readonly states: S[] = [];
  private readonly ids = new Map<string, number>();
  private flat: Int32Array;
  private flatStates: number;
  private sparse: Map<number, number> | undefined;

  constructor(
    private readonly model: CheckerModel<S>,
    private readonly reps: readonly LinOp[],
    /** Pass keys to `step` (keyed models only). */
    private readonly passKey: boolean,
  ) {
    this.flatStates = 16;
    this.flat = new Int32Array(this.flatStates * Math.max(1, reps.length)).fill(-2);
  }

  /** Number of operation classes. */
  get classes(): number {
    return this.reps.length;
  }

  /** A state in words. */
  describe(s: number, key?: string): string {
    const st = this.states[s]!;
    if (this.model.keyed && this.model.describeKey && key !== undefined) return this.model.describeKey(st, key);
    return this.model.describe(st);
  }

  /** The id of a state, interning it when new. */
  intern(s: S): number {
    const h = this.model.hash(s);
    let id = this.ids.get(h);
    if (id === undefined) {
      id = this.states.length;
      this.states.push(s);
      this.ids.set(h, id);
    }
    return id;
  }

  /** The state after class `cls` in state `s`, or -1 when the model forbids it. */
  next(cls: number, s: number): number {
    const nc = this.reps.length;
    if (this.sparse === undefined) {
      if (s < this.flatStates) {
        const v = this.flat[s * nc + cls]!;
        if (v !== -2) return v;
        const r = this.compute(cls, s);
        this.flat[s * nc + cls] = r;
        return r;
      }
      this.grow(s);
      return this.next(cls, s);
    }
    const k = s * nc + cls;
    const v = this.sparse.get(k);
    if (v !== undefined) return v;
    const r = this.compute(cls, s);
    this.sparse.set(k, r);
    return r;
  }

  private grow(s: number): void {
    const nc = this.reps.length;
    let cap = this.flatStates;
    while (cap <= s) cap *= 2;
    if (cap * nc > 1 << 24) {
      // Too many states for a dense table: move what we know to a map.
      const sparse = new Map<number, number>();
      for (let i = 0; i < this.flat.length; i++) if (this.flat[i] !== -2) sparse.set(i, this.flat[i]!);
      this.sparse = sparse;
      this.flat = new Int32Array(0);
      return;
    }
    const t = new Int32Array(cap * nc).fill(-2);
    t.set(this.flat);
    this.flat = t;
    this.flatStates = cap;
  }

  private compute(cls: number, s: number): number {
    const op = this.reps[cls]!;
    const state = this.states[s]!;
    const r = this.passKey
      ? this.model.step(state, op.f, op.input, op.output, op.key ?? '')
      : this.model.step(state, op.f, op.input, op.output);
    return r === undefined ? -1 : this.intern(r);
  }
}

/** One problem in typed arrays, operations numbered 0..n-1 in invocation order. */
export interface Compiled<S> {
  n: number;
  ops: readonly LinOp[];
  /** History position of each invocation (ascending). */
  call: Int32Array;
  /** History position of each completion, `INF` when unknown. */
  ret: Int32Array;
  /** Operation class (equal step functions). */
  cls: Int32Array;
  /** 1 when the class is read-only. */
  readOnly: Uint8Array;
  /** Key group of each operation for the key-focus reduction (all 0 when not keyed). */
  group: Int32Array;
  /** Number of operations with a completion. */
  finite: number;
  space: Space;
  init: number;
}

/** Options that switch individual reductions off (for measurements and tests). */
export interface CompileOptions {
  /** Merge operations with equal signatures into one class (default true). */
  symmetry?: boolean;
  /** Ops marked 1 never share a class with unmarked ones (e.g. ops a refutation may skip). */
  apart?: Uint8Array;
}

/** Build the typed-array problem for `ops` (already in invocation order). */
export function compile<S>(ops: readonly LinOp[], model: CheckerModel<S>, opts: CompileOptions = {}): Compiled<S> {
  const n = ops.length;
  const call = new Int32Array(n);
  const ret = new Int32Array(n);
  const cls = new Int32Array(n);
  const group = new Int32Array(n);
  const classIds = new Map<string, number>();
  const groupIds = new Map<string, number>();
  const reps: LinOp[] = [];
  const ro: number[] = [];
  const keyed = model.keyed === true;
  let finite = 0;
  for (let i = 0; i < n; i++) {
    const op = ops[i]!;
    call[i] = op.call;
    ret[i] = op.ret === NEVER ? INF : op.ret;
    if (op.ret !== NEVER) finite++;
    const sig = model.signature
      ? model.signature(op.f, op.input, op.output)
      : `${op.f}:${canonicalJson(op.input)}:${canonicalJson(op.output)}`;
    const k0 = keyed ? `${op.key ?? ''}\u0000${sig}` : sig;
    const k = opts.apart?.[i] === 1 ? `\u0001${k0}` : k0;
    let c = opts.symmetry === false ? undefined : classIds.get(k);
    if (c === undefined) {
      c = reps.length;
      classIds.set(k, c);
      reps.push(op);
      ro.push(model.isReadOnly?.(op.f, op.input, op.output) ? 1 : 0);
    }
    cls[i] = c;
    if (keyed) {
      const gk = op.key ?? '';
      let g = groupIds.get(gk);
      if (g === undefined) groupIds.set(gk, (g = groupIds.size));
      group[i] = g;
    }
  }
  if (keyed && groupIds.size > 1) {
    const groupOfClass = reps.map((op) => groupIds.get(op.key ?? '')!);
    const space = new ProductSpace(model, reps, groupOfClass, [...groupIds.keys()]);
    return { n, ops, call, ret, cls, readOnly: Uint8Array.from(ro), group, finite, space, init: space.init };
  }
  const space = new StateSpace(model, reps, keyed);
  const init = space.intern(model.init());
  return { n, ops, call, ret, cls, readOnly: Uint8Array.from(ro), group, finite, space, init };
}
