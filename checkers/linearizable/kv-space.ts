/**
 * The states of one key of the kv model, as a tree of appends.
 *
 * Why not strings: a key that grows by appends has a different value for almost every order of
 * its pending appends, and a hard key reaches hundreds of thousands of them. Building, hashing
 * and interning each value as a string (and as a map holding it) is most of the search's time
 * and of its garbage. Here a state is a node: a known value (the initial "" or a put's), an
 * unknown value (local refutation's stand-in), or its parent state followed by one appended
 * string, interned by (parent, string) in constant time. A get compares its value against the
 * node by walking up the appends, once per (state, get) pair (the transition cache keeps it).
 * The same value reached by different appends may get two nodes; the search then merely
 * prunes a little less, and every verdict stays the same.
 */
import type { ComponentSpace, OpLike } from './compile.js';
import { TransitionCache } from './transitions.js';

const KNOWN = 0;
const APPENDED = 1;
const UNKNOWN = 2;

/** What one class of operations does, decoded once. */
type Action = { kind: 'get'; value: string | undefined } | { kind: 'put'; value: string } | { kind: 'append'; value: string };

/** One key's states under get / put / append. */
export class AppendSpace implements ComponentSpace {
  readonly init: number;
  private readonly actions: Action[];
  private readonly cache: TransitionCache;
  private kind: Int8Array = new Int8Array(64);
  /** APPENDED: the parent state; otherwise unused. */
  private parent: Int32Array = new Int32Array(64);
  /** The string id: the appended string, or the known value. */
  private text: Int32Array = new Int32Array(64);
  /** Length of each state's value (negative for an unknown beginning, see `add`). */
  private length: Int32Array = new Int32Array(64);
  private count = 0;
  /** (state, get class) → 1 when the get's value begins with the state's value, else 0. */
  private readonly towards: TransitionCache;
  private readonly strings: string[] = [];
  private readonly stringIds = new Map<string, number>();
  private readonly known = new Map<number, number>();
  private unknown = -1;

  constructor(
    reps: readonly OpLike[],
    toText: (v: unknown) => string,
  ) {
    this.actions = reps.map((op) =>
      op.f === 'get' ? { kind: 'get', value: op.output === undefined ? undefined : toText(op.output) } : { kind: op.f === 'put' ? 'put' : 'append', value: toText(op.input) },
    );
    this.cache = new TransitionCache(Math.max(1, reps.length));
    this.towards = new TransitionCache(Math.max(1, reps.length));
    this.init = this.knownState('');
  }

  get classes(): number {
    return this.actions.length;
  }

  get bytes(): number {
    return this.cache.bytes + this.towards.bytes + this.kind.length * 13 + this.known.size * 40 + this.strings.length * 48;
  }

  /** The stand-in for every value: nothing known yet. */
  any(): number {
    if (this.unknown < 0) this.unknown = this.add(UNKNOWN, -1, -1);
    return this.unknown;
  }

  /** The cache doubles as the tree's index: an append's child is created once per (state, class). */
  next(cls: number, s: number): number {
    const v = this.cache.get(s, cls);
    if (v !== -2) return v;
    const t = this.compute(this.actions[cls]!, s);
    this.cache.set(s, cls, t);
    return t;
  }

  /** A get's value begins with state `t`'s value: appends alone may still reach it. */
  toward(t: number, cls: number): boolean {
    const a = this.actions[cls]!;
    if (a.kind !== 'get' || a.value === undefined) return false;
    let known = this.towards.get(t, cls);
    if (known === -2) this.towards.set(t, cls, (known = this.begins(t, a.value) ? 1 : 0));
    return known === 1;
  }

  /** A put of a value the get's value begins with (appends only ever extend a value). */
  resets(c: number, obs: number): boolean {
    const a = this.actions[c]!;
    const o = this.actions[obs]!;
    return a.kind === 'put' && (o.kind !== 'get' || o.value === undefined || o.value.startsWith(a.value));
  }

  describe(s: number): string {
    let suffix = '';
    for (;;) {
      const k = this.kind[s]!;
      if (k === APPENDED) {
        suffix = this.strings[this.text[s]!]! + suffix;
        s = this.parent[s]!;
      } else if (k === KNOWN) return JSON.stringify(this.strings[this.text[s]!]! + suffix);
      else return suffix === '' ? 'any value' : `any value ending in ${JSON.stringify(suffix)}`;
    }
  }

  private compute(a: Action, s: number): number {
    if (a.kind === 'put') return this.knownState(a.value);
    if (a.kind === 'append') {
      if (a.value === '') return s;
      return this.add(APPENDED, s, this.stringId(a.value));
    }
    if (a.value === undefined) return s;
    const m = this.matches(s, a.value);
    // A get pins down a state whose beginning was unknown.
    return m === 'no' ? -1 : m === 'exact' ? s : this.knownState(a.value);
  }

  /** Whether state `s` can be `v`: surely (`exact`), if its unknown beginning fits (`fits`), or not. */
  private matches(s: number, v: string): 'exact' | 'fits' | 'no' {
    let end = v.length;
    for (;;) {
      const k = this.kind[s]!;
      if (k === UNKNOWN) return 'fits';
      const t = this.strings[this.text[s]!]!;
      if (k === KNOWN) return end === t.length && v.startsWith(t) ? 'exact' : 'no';
      if (t.length > end || !v.startsWith(t, end - t.length)) return 'no';
      end -= t.length;
      s = this.parent[s]!;
    }
  }

  /** Whether `v` begins with state `s`'s value (an unknown beginning fits anything). */
  private begins(s: number, v: string): boolean {
    if (this.length[s]! < 0) return true;
    if (this.length[s]! > v.length) return false;
    for (;;) {
      const k = this.kind[s]!;
      const t = this.strings[this.text[s]!]!;
      if (k === KNOWN) return v.startsWith(t);
      const p = this.parent[s]!;
      if (!v.startsWith(t, this.length[p]!)) return false;
      s = p;
    }
  }

  private knownState(v: string): number {
    const id = this.stringId(v);
    let s = this.known.get(id);
    if (s === undefined) this.known.set(id, (s = this.add(KNOWN, -1, id)));
    return s;
  }

  private stringId(v: string): number {
    let id = this.stringIds.get(v);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(v);
      this.stringIds.set(v, id);
    }
    return id;
  }

  private add(kind: number, parent: number, text: number): number {
    const s = this.count++;
    if (s === this.kind.length) {
      const grow = <T extends Int8Array | Int32Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.kind = grow(this.kind, (n) => new Int8Array(n));
      this.parent = grow(this.parent, (n) => new Int32Array(n));
      this.text = grow(this.text, (n) => new Int32Array(n));
      this.length = grow(this.length, (n) => new Int32Array(n));
    }
    this.kind[s] = kind;
    this.parent[s] = parent;
    this.text[s] = text;
    // A value whose beginning is unknown has a negative length: -1 - (the length of its known end).
    const add = kind === UNKNOWN ? 0 : this.strings[text]!.length;
    const base = kind === APPENDED ? this.length[parent]! : kind === UNKNOWN ? -1 : 0;
    this.length[s] = base < 0 ? base - add : base + add;
    return s;
  }
}
