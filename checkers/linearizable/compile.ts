/**
 * The search's view of a problem: operations as small integers in typed arrays, states
 * interned to integers, and transitions cached in a table.
 *
 * Why: the search runs millions of steps; every one of them must be an array read, not a
 * `Model.step` call, a string hash or an allocation. `Model.step` runs once per distinct
 * (operation class, state) pair; operations with equal signatures share a class.
 *
 * A problem is two halves: the typed arrays and one representative operation per class
 * (`ProblemData`, plain data a worker thread can receive), and the state space built from them
 * and the model (`withSpace`), which is code and so is rebuilt wherever the search runs.
 */
import type { CheckerModel } from './models.js';
import { canonicalJson } from './models.js';
import { NEVER, type LinOp } from './entries.js';
import { ProductSpace } from './product-space.js';
import { TransitionCache } from './transitions.js';

/** Stand-in for +∞ completion positions in the typed arrays. */
export const INF = 0x7fffffff;

/** What compiling needs of an operation (a `LinOp` has more: the history records). */
export type OpLike = Pick<LinOp, 'f' | 'key' | 'input' | 'output' | 'call' | 'ret'>;

/** What the search and the explanation need of a state space. */
export interface Space {
  /** Number of operation classes. */
  readonly classes: number;
  /** The state after class `cls` in state `s`, or -1 when the model forbids it. */
  next(cls: number, s: number): number;
  /** A state in words; for keyed models, only the part that concerns `key` when given. */
  describe(s: number, key?: string): string;
  /** About how many bytes the interned states and cached transitions hold. */
  readonly bytes: number;
  /**
   * Optional, for candidate order only: state `t` is on the way to one where class `cls` is
   * allowed (e.g. a value that a pending get's value continues). Never affects a verdict.
   */
  toward?(t: number, cls: number): boolean;
  /**
   * Optional: class `c`, wherever it takes effect, may leave a state from which read class
   * `obs` can be satisfied without another reset (a register's write of the value read; a
   * kv put of a value the get's value begins with). Must be true whenever that can happen:
   * the search drops candidates by it.
   */
  resets?(c: number, obs: number): boolean;
}

/** The space of one key (or of a model without keys): a `Space` with its initial state. */
export interface ComponentSpace extends Space {
  readonly init: number;
  /** The model's stand-in for every state (`anyState`), when it has one. */
  any?(): number;
}

/** Rough cost of one interned state beyond its hash string: the value, a map entry, an array slot. */
const STATE_OVERHEAD = 96;

/** Interned states and a transition cache for one search, for any model. */
export class StateSpace<S> implements ComponentSpace {
  /** State values by id. */
  readonly states: S[] = [];
  private readonly ids = new Map<string, number>();
  private readonly cache: TransitionCache;
  private readonly resetters: TransitionCache;
  private stateBytes = 0;

  constructor(
    private readonly model: CheckerModel<S>,
    private readonly reps: readonly OpLike[],
    /** Pass keys to `step` (keyed models only). */
    private readonly passKey: boolean,
  ) {
    this.cache = new TransitionCache(Math.max(1, reps.length));
    this.resetters = new TransitionCache(Math.max(1, reps.length));
  }

  /** Number of operation classes. */
  get classes(): number {
    return this.reps.length;
  }

  get bytes(): number {
    return this.stateBytes + this.cache.bytes;
  }

  get init(): number {
    return this.intern(this.model.init());
  }

  any(): number {
    const any = this.model.anyState?.() as S | undefined;
    if (any === undefined) throw new Error(`the ${this.model.name} model has no stand-in state`);
    return this.intern(any);
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
      this.stateBytes += 2 * h.length + STATE_OVERHEAD;
    }
    return id;
  }

  /**
   * Through the model's stand-in state: `c` changes it to a state where `obs` is allowed. With
   * no stand-in, every class may.
   */
  resets(c: number, obs: number): boolean {
    let known = this.resetters.get(c, obs);
    if (known === -2) {
      const rep = this.reps[c]!;
      let yes = true;
      if (this.model.isReadOnly?.(rep.f, rep.input, rep.output)) yes = false;
      else if (this.model.anyState) {
        const any = this.any();
        const t = this.next(c, any);
        yes = t >= 0 && t !== any && this.next(obs, t) >= 0;
      }
      this.resetters.set(c, obs, (known = yes ? 1 : 0));
    }
    return known === 1;
  }

  /** The state after class `cls` in state `s`, or -1 when the model forbids it. */
  next(cls: number, s: number): number {
    const v = this.cache.get(s, cls);
    if (v !== -2) return v;
    const r = this.compute(cls, s);
    this.cache.set(s, cls, r);
    return r;
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

/** A problem as plain data: what a worker thread receives. Operations 0..n-1 in invocation order. */
export interface ProblemData {
  n: number;
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
  /** One operation per class, whose `f`, key, input and output stand for the class. */
  reps: OpLike[];
  /** The key of each group (keyed models). */
  keyNames: string[];
}

/** One problem ready to search. */
export interface Compiled<S> extends ProblemData {
  /**
   * The operations, for explanations (empty in a worker thread, which explains nothing; code
   * that runs there reads an operation through its class: `keyOf`, `opView`).
   */
  ops: readonly OpLike[];
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
export function compile<S>(ops: readonly OpLike[], model: CheckerModel<S>, opts: CompileOptions = {}): Compiled<S> {
  const n = ops.length;
  const call = new Int32Array(n);
  const ret = new Int32Array(n);
  const cls = new Int32Array(n);
  const group = new Int32Array(n);
  const classIds = new Map<string, number>();
  const groupIds = new Map<string, number>();
  const reps: OpLike[] = [];
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
      reps.push({ f: op.f, key: op.key, input: op.input, output: op.output, call: op.call, ret: op.ret });
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
  const data: ProblemData = { n, call, ret, cls, readOnly: Uint8Array.from(ro), group, finite, reps, keyNames: [...groupIds.keys()] };
  return { ...withSpace(data, model), ops };
}

/** The state space of `data` under `model`, and its initial state. */
export function withSpace<S>(data: ProblemData, model: CheckerModel<S>): Omit<Compiled<S>, 'ops'> {
  if (model.keyed === true && data.keyNames.length > 1) {
    const groupOfClass = data.reps.map((op) => data.keyNames.indexOf(op.key ?? ''));
    const space = new ProductSpace(model, data.reps, groupOfClass, data.keyNames);
    return { ...data, space, init: space.init };
  }
  const space = componentSpace(model, data.reps);
  return { ...data, space, init: space.init };
}

/** The space of one key's classes: the model's own, when it has a faster one, or interned states. */
export function componentSpace<S>(model: CheckerModel<S>, reps: readonly OpLike[]): ComponentSpace {
  return model.space?.(reps) ?? new StateSpace(model, reps, model.keyed === true);
}

/** The plain-data half of a problem, to send to a worker thread. */
export function problemData<S>(p: Compiled<S>): ProblemData {
  const { n, call, ret, cls, readOnly, group, finite, reps, keyNames } = p;
  return { n, call, ret, cls, readOnly, group, finite, reps, keyNames };
}

/** The key of op `i`. */
export function keyOf(p: ProblemData, i: number): string | undefined {
  return p.reps[p.cls[i]!]!.key;
}

/** Op `i` of a problem as compiling sees it, rebuilt from its class (for sub-problems). */
export function opView<S>(p: Compiled<S>, i: number): OpLike {
  const rep = p.reps[p.cls[i]!]!;
  return { f: rep.f, key: rep.key, input: rep.input, output: rep.output, call: p.call[i]!, ret: p.ret[i] === INF ? NEVER : p.ret[i]! };
}
