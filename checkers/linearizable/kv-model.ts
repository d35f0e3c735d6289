/**
 * Porcupine's key-value store, and the models by name.
 *
 * Why the stand-in state is shaped this way: local refutation (refute.ts) starts a window of the
 * history from a state that stands for every state. For a key that only grows by appends, what
 * is known after the window's first appends is how the value ends, not how it begins; so a
 * component is either a known string, or "some unknown prefix, then this suffix", which a get
 * then pins down. Searching from it is a relaxation of searching from every concrete state.
 */
import { canonicalJson, casRegister, type CheckerModel } from './models.js';
import { AppendSpace } from './kv-space.js';
import type { ValueAlgebra } from './value-algebra.js';

/** A value whose beginning is unknown: it ends with `suffix`. */
interface UnknownPrefix {
  readonly suffix: string;
}

/** One key's value: known, or known only at its end (stand-in states only). */
type KvValue = string | UnknownPrefix;

/** Marks a stand-in state: every key not in it holds an unknown value. */
const ANY_KEYS: unique symbol = Symbol('every key any');

/** Key-value state: key → value; missing keys read as "" (or as unknown, in a stand-in state). */
export type KvState = Readonly<Record<string, KvValue>> & { readonly [ANY_KEYS]?: true };

/** A value as a string: `null` is "", other non-strings their JSON. */
export function kvString(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : canonicalJson(v);
}

function current(state: KvState, key: string): KvValue {
  return state[key] ?? (state[ANY_KEYS] ? { suffix: '' } : '');
}

function describeValue(v: KvValue): string {
  if (typeof v === 'string') return JSON.stringify(v);
  return v.suffix === '' ? 'any value' : `any value ending in ${JSON.stringify(v.suffix)}`;
}

/** The kv store's values: a get observes and leaves its value; put sets one; append extends it. */
const kvValues: ValueAlgebra = {
  initial: '',
  observes: (op) => (op.f === 'get' && op.output !== undefined ? kvString(op.output) : undefined),
  leaves: (op) => (op.f === 'get' ? (op.output === undefined ? undefined : kvString(op.output)) : op.f === 'put' ? kvString(op.input) : undefined),
  effect: (op) => (op.f === 'put' ? { set: kvString(op.input) } : op.f === 'append' ? { append: kvString(op.input) } : undefined),
  describe: (v) => JSON.stringify(v),
};

/**
 * Porcupine's key-value store: per-key strings starting as "". `get` returns the value
 * (`null` reads as ""), `put` sets it, `append` concatenates. The state is the whole map, so the
 * same model serves one key (per-key decomposition) or all keys at once.
 */
export const kvModel: CheckerModel<KvState> = {
  name: 'kv',
  init: () => ({}),
  step(state: KvState, f: string, input: unknown, output: unknown, key: string = ''): KvState | undefined {
    const cur = current(state, key);
    switch (f) {
      case 'get': {
        if (output === undefined) return state;
        const v = kvString(output);
        if (typeof cur === 'string') return v === cur ? state : undefined;
        return v.endsWith(cur.suffix) ? { ...state, [key]: v } : undefined;
      }
      case 'put':
        return { ...state, [key]: kvString(input) };
      case 'append': {
        const x = kvString(input);
        return { ...state, [key]: typeof cur === 'string' ? cur + x : { suffix: cur.suffix + x } };
      }
      default:
        return undefined;
    }
  },
  hash(state) {
    const keys = Object.keys(state)
      .filter((k) => state[ANY_KEYS] || state[k] !== '')
      .sort();
    return `${state[ANY_KEYS] ? '*' : ''}${JSON.stringify(keys.map((k) => [k, state[k]]))}`;
  },
  describe(state) {
    const keys = Object.keys(state)
      .filter((k) => state[k] !== '')
      .sort();
    const parts = keys.map((k) => `${JSON.stringify(k)}: ${describeValue(state[k]!)}`);
    if (state[ANY_KEYS]) parts.push('any other key: any value');
    return parts.length === 0 ? '{}' : `{${parts.join(', ')}}`;
  },
  describeKey: (state: KvState, key: string) => describeValue(current(state, key)),
  anyState: () => ({ [ANY_KEYS]: true }),
  operations: ['get', 'put', 'append'],
  isReadOnly: (f) => f === 'get',
  values: kvValues,
  space: (reps) => new AppendSpace(reps, kvString),
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
