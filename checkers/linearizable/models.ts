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

/**
 * Optional facts a model may state about its operations. Every hint is a promise the search
 * relies on for soundness, so a model states only what holds for every state.
 */
export interface ModelHints {
  /**
   * The `f`s this model understands. A client operation with any other `f` is bad input (the
   * history is not one this model can judge); without this hint, nemesis-like `start-`/`stop-`
   * operations are set aside and everything else goes to `step`.
   */
  knows?(f: string): boolean;
  /**
   * Why this model cannot interpret an invocation of a known `f` with value `input` (e.g. a cas
   * whose value is not a pair), or `undefined` when it can. Such an operation is bad input, not
   * a violation: no system could have answered it.
   */
  misread?(f: string, input: unknown): string | undefined;
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

const REGISTER_FS = new Set(['read', 'write', 'cas']);

/** The register's `anyState`: not a value any history can hold. */
const ANY_VALUE: unique symbol = Symbol('any value');

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
  describe: (state) => (state === ANY_VALUE ? 'any value' : state === null || state === undefined ? 'nil' : canonicalJson(state)),
  anyState: () => ANY_VALUE,
  knows: (f) => REGISTER_FS.has(f),
  misread: (f, input) => (f === 'cas' && (!Array.isArray(input) || input.length !== 2) ? `a cas takes [expected new], not ${canonicalJson(input)}` : undefined),
  isReadOnly: (f) => f === 'read',
  signature(f, input, output) {
    // A write's or cas's effect does not depend on its echoed output.
    if (f === 'read') return `read:${canonicalJson(output)}`;
    return `${f}:${canonicalJson(input)}`;
  },
};

/** Key-value state: key → string; missing keys read as "". */
export type KvState = Readonly<Record<string, string>>;

const KV_FS = new Set(['get', 'put', 'append']);

function kvString(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : canonicalJson(v);
}

/**
 * Porcupine's key-value store: per-key strings starting as "". `get` returns the value
 * (`null` reads as ""), `put` sets it, `append` concatenates. The state is the whole map, so the
 * same model serves one key (per-key decomposition) or all keys at once.
 */
export const kvModel: CheckerModel<KvState> = {
  name: 'kv',
  init: () => ({}),
  step(state: KvState, f: string, input: unknown, output: unknown, key: string = ''): KvState | undefined {
    const cur = state[key] ?? '';
    switch (f) {
      case 'get':
        if (output === undefined) return state;
        return kvString(output) === cur ? state : undefined;
      case 'put':
        return { ...state, [key]: kvString(input) };
      case 'append':
        return { ...state, [key]: cur + kvString(input) };
      default:
        return undefined;
    }
  },
  hash(state) {
    const keys = Object.keys(state).filter((k) => state[k] !== '').sort();
    return JSON.stringify(keys.map((k) => [k, state[k]]));
  },
  describe(state) {
    const keys = Object.keys(state).filter((k) => state[k] !== '').sort();
    if (keys.length === 0) return '{}';
    return `{${keys.map((k) => `${JSON.stringify(k)}: ${JSON.stringify(state[k])}`).join(', ')}}`;
  },
  describeKey: (state: KvState, key: string) => JSON.stringify(state[key] ?? ''),
  knows: (f) => KV_FS.has(f),
  isReadOnly: (f) => f === 'get',
  signature(f, input, output) {
    if (f === 'get') return `get:${kvString(output)}`;
    return `${f}:${kvString(input)}`;
  },
  keyed: true,
};

/** Models by name; `register` is an alias of `cas-register`. */
export const MODELS: Readonly<Record<string, CheckerModel<any>>> = {
  'cas-register': casRegister,
  register: casRegister,
  kv: kvModel,
};

/** Look a model up by name; throws an Error listing the known names otherwise. */
export function modelByName(name: string): CheckerModel<any> {
  const m = MODELS[name];
  if (!m) throw new Error(`unknown model "${name}": known models are ${Object.keys(MODELS).join(', ')}`);
  return m;
}

/**
 * The product of one copy of `model` per key: a keyed model whose state maps key → state, for
 * checking a multi-key history as one search with a model that knows nothing of keys.
 */
export function perKeyProduct<S>(model: CheckerModel<S>): CheckerModel<ReadonlyMap<string, S>> {
  const init = model.init();
  const get = (st: ReadonlyMap<string, S>, key: string): S => (st.has(key) ? (st.get(key) as S) : init);
  const product: CheckerModel<ReadonlyMap<string, S>> = {
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
      const initHash = model.hash(init);
      const parts = [...state.entries()]
        .map(([k, s]) => [k, model.hash(s)] as const)
        .filter(([, h]) => h !== initHash)
        .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      return JSON.stringify(parts);
    },
    describe(state) {
      const parts = [...state.entries()].map(([k, s]) => `${JSON.stringify(k)}: ${model.describe(s)}`);
      return `{${parts.join(', ')}}`;
    },
    keyed: true,
    describeKey: (state: ReadonlyMap<string, S>, key: string) => model.describe(get(state, key)),
  };
  if (model.knows) product.knows = model.knows.bind(model);
  if (model.misread) product.misread = model.misread.bind(model);
  if (model.isReadOnly) product.isReadOnly = model.isReadOnly.bind(model);
  if (model.signature) product.signature = model.signature.bind(model);
  return product;
}
