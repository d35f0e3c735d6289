/**
 * Sequential models for the linearizability checker, by name.
 *
 * Why a module of its own: a model is knowledge (what a register or a key-value store may
 * answer), kept apart from the search that uses it. The models here are plain `Model`s that any
 * code can call, plus optional hints (`ModelHints`) that let the search prune soundly: which
 * operations never change the state, which operations have identical effects, and whether
 * operations on different keys are independent.
 */
import type { Model } from '../../src/api/model.js';
import type { ComponentSpace, OpLike } from './compile.js';
import type { ValueAlgebra } from './value-algebra.js';

/**
 * Optional facts a model may state about its operations. Every hint is a promise the search
 * relies on for soundness, so a model states only what holds for every state.
 */
export interface ModelHints {
  /**
   * The `f`s this model understands. A client operation with any other `f` is bad input. A
   * model without the list skips `start-`/`stop-` operations and passes the rest to `step`.
   */
  readonly operations?: readonly string[];
  /** Why an invocation of `f` with this value cannot be interpreted (e.g. a cas that is not a pair), or undefined. */
  malformed?(f: string, input: unknown): string | undefined;
  /**
   * True when the operation never changes any state: `step` returns the same state or
   * `undefined`. Such operations are linearized as soon as they are legal, without branching.
   */
  isReadOnly?(f: string, input: unknown, output: unknown): boolean;
  /**
   * A string equal for two operations exactly when their `step` functions are equal on every
   * state (e.g. an acknowledged and a timed-out write of the same value). Defaults to
   * `f`, input and output as JSON.
   */
  signature?(f: string, input: unknown, output: unknown): string;
  /**
   * True when `step` takes the key as a fifth argument, the state covers every key, and
   * operations on different keys commute and never affect each other's legality.
   */
  readonly keyed?: boolean;
  /**
   * A state that stands for every state at once, for local refutation: the first operation
   * that observes it decides which state it was (a read of v from it is allowed and leaves v).
   * Searching from it finds an order exactly when some concrete start state has one.
   */
  anyState?(): any;
  /** For keyed models: the part of a state that concerns one key, in words. */
  describeKey?(state: any, key: string): string;
  /** What operations say about values, for refutations before the search (values.ts). */
  readonly values?: ValueAlgebra;
  /**
   * A faster state space for one key's operation classes than interning whole states; it must
   * agree with `step` (and start from `init`, with `anyState` as its `any`).
   */
  space?(reps: readonly OpLike[]): ComponentSpace;
}

/** A model as the checker uses it: a `Model` with optional hints and an optional key. */
export type CheckerModel<S> = Model<S> &
  ModelHints & {
    step(state: S, f: string, input: unknown, output: unknown, key?: string): S | undefined;
  };

/** JSON equality of plain values (numbers, strings, null, arrays, objects). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return canonicalJson(a) === canonicalJson(b);
}

/** JSON with object keys sorted, so equal values give equal strings. */
export function canonicalJson(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? String(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(v).sort();
  const obj = v as Record<string, unknown>;
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/** Register value: anything JSON; absent is `null`. */
export type RegisterState = unknown;

/** The register's `anyState`: not a value any history can hold. */
const ANY_VALUE: unique symbol = Symbol('any value');

/** A register value as the value refutations compare it. */
const registerValue = (v: unknown): string => canonicalJson(v ?? null);

/** The register's values: a read observes and leaves its value; write and cas set one. */
const registerValues: ValueAlgebra = {
  initial: registerValue(null),
  observes: (op) => (op.f === 'read' ? (op.output === undefined ? undefined : registerValue(op.output)) : op.f === 'cas' ? registerValue((op.input as unknown[])[0]) : undefined),
  leaves: (op) =>
    op.f === 'read' ? (op.output === undefined ? undefined : registerValue(op.output)) : op.f === 'write' ? registerValue(op.input) : registerValue((op.input as unknown[])[1]),
  effect: (op) => (op.f === 'write' ? { set: registerValue(op.input) } : op.f === 'cas' ? { set: registerValue((op.input as unknown[])[1]) } : undefined),
  describe: (v) => (v === 'null' ? 'nil' : v),
};

/**
 * A compare-and-set register (Knossos `cas-register`). Starts as `null`. `read` must return the
 * state; `write v` sets it; `cas [expected, new]` sets `new` only when the state equals
 * `expected` by JSON equality (a `fail`ed cas never reaches the model).
 */
export const casRegister: CheckerModel<RegisterState> = {
  name: 'cas-register',
  init: () => null,
  step(state, f, input, output) {
    const any = state === ANY_VALUE;
    switch (f) {
      case 'read':
        if (output === undefined) return state;
        if (any) return output ?? null;
        return jsonEqual(output ?? null, state) ? state : undefined;
      case 'write':
        return input ?? null;
      case 'cas': {
        if (!Array.isArray(input) || input.length !== 2) return undefined;
        return any || jsonEqual(input[0] ?? null, state) ? (input[1] ?? null) : undefined;
      }
      default:
        return undefined;
    }
  },
  hash: (state) => (state === ANY_VALUE ? '*' : canonicalJson(state ?? null)),
  describe: (state) => (state === ANY_VALUE ? 'any value' : state === null || state === undefined ? 'null' : canonicalJson(state)),
  anyState: () => ANY_VALUE,
  operations: ['read', 'write', 'cas'],
  malformed: (f, input) =>
    f === 'cas' && !(Array.isArray(input) && input.length === 2) ? `a cas takes [expected, new], not ${canonicalJson(input)}` : undefined,
  isReadOnly: (f) => f === 'read',
  values: registerValues,
  signature(f, input, output) {
    // A write's or cas's effect does not depend on its echoed output.
    if (f === 'read') return `read:${canonicalJson(output)}`;
    return `${f}:${canonicalJson(input)}`;
  },
};

/** In a product state, marks every key not in the map as holding the base model's `anyState`. */
const ANY_KEYS: unique symbol = Symbol('every key any');

/**
 * The product of one copy of `model` per key: a keyed model whose state maps key → state, for
 * checking a multi-key history as one search with a model that knows nothing of keys.
 */
export function perKeyProduct<S>(model: CheckerModel<S>): CheckerModel<ReadonlyMap<string, S>> {
  const init = model.init();
  const anyKeys = (st: ReadonlyMap<string, S>): boolean => (st as Map<unknown, unknown>).has(ANY_KEYS);
  const get = (st: ReadonlyMap<string, S>, key: string): S => (st.has(key) ? (st.get(key) as S) : anyKeys(st) ? model.anyState!() : init);
  const entries = (st: ReadonlyMap<string, S>): [string, S][] => [...st.entries()].filter(([k]) => typeof k === 'string');
  const initHash = model.hash(init);
  return {
    name: `${model.name} per key`,
    init: () => new Map(),
    step(state: ReadonlyMap<string, S>, f: string, input: unknown, output: unknown, key: string = ''): ReadonlyMap<string, S> | undefined {
      const next = model.step(get(state, key), f, input, output);
      if (next === undefined) return undefined;
      const m = new Map(state);
      m.set(key, next);
      return m;
    },
    hash(state) {
      const parts = entries(state)
        .map(([k, s]) => [k, model.hash(s)] as const)
        .filter(([, h]) => anyKeys(state) || h !== initHash)
        .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      return `${anyKeys(state) ? '*' : ''}${JSON.stringify(parts)}`;
    },
    describe(state) {
      const parts = entries(state).map(([k, s]) => `${JSON.stringify(k)}: ${model.describe(s)}`);
      return `{${parts.join(', ')}${anyKeys(state) ? `${parts.length > 0 ? ', ' : ''}any other key: ${model.describe(model.anyState!())}` : ''}}`;
    },
    keyed: true,
    describeKey: (state: ReadonlyMap<string, S>, key: string) => model.describe(get(state, key)),
    ...(model.anyState && { anyState: () => new Map<unknown, unknown>([[ANY_KEYS, true]]) as unknown as ReadonlyMap<string, S> }),
    ...(model.operations && { operations: model.operations }),
    ...(model.malformed && { malformed: model.malformed.bind(model) }),
    ...(model.isReadOnly && { isReadOnly: model.isReadOnly.bind(model) }),
    ...(model.signature && { signature: model.signature.bind(model) }),
    ...(model.values && { values: model.values }),
  };
}
