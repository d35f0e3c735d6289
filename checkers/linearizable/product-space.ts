/**
 * States of a keyed model as vectors of per-key component states.
 *
 * Why: when a multi-key history is checked as one search, the model's state is the whole map,
 * and interning whole maps (step, copy, hash a string) costs microseconds per new state. A keyed
 * model promises that operations on different keys are independent, so the state is the product
 * of per-key components: each component is interned once by the model itself, and a whole state
 * is a vector of small integers, interned through an incremental Zobrist hash. Same states, same
 * transitions, same verdicts; only the bookkeeping is cheaper.
 */
import { componentSpace, type ComponentSpace, type OpLike, type Space } from './compile.js';
import { fmix } from './hash.js';
import type { CheckerModel } from './models.js';


function zob(k: number, c: number): number {
  return fmix(Math.imul(k + 1, 0x9e3779b1) ^ Math.imul(c + 1, 0x7feb352d));
}

/** The product of one component space per key, over interned vectors. */
export class ProductSpace<S> implements Space {
  readonly classes: number;
  /** The initial state's id (always 0). */
  readonly init = 0;
  private readonly comps: ComponentSpace[] = [];
  private readonly compInit: number[] = [];
  private readonly keyOf: Int32Array;
  private readonly local: Int32Array;
  private readonly keyNames: string[];
  private readonly K: number;
  private vecs: Int32Array;
  private hashes: Int32Array;
  private count = 0;
  private table: Int32Array;
  private mask: number;

  /**
   * `reps[c]` is class c's representative operation and `groupOfClass[c]` its key group;
   * `keyNames[g]` the key of group g.
   */
  constructor(model: CheckerModel<S>, reps: readonly OpLike[], groupOfClass: readonly number[], keyNames: readonly string[]) {
    this.classes = reps.length;
    this.K = keyNames.length;
    this.keyNames = [...keyNames];
    this.keyOf = Int32Array.from(groupOfClass);
    this.local = new Int32Array(reps.length);
    const perKey: OpLike[][] = keyNames.map(() => []);
    reps.forEach((op, c) => {
      const g = groupOfClass[c]!;
      this.local[c] = perKey[g]!.length;
      perKey[g]!.push(op);
    });
    for (let g = 0; g < this.K; g++) {
      const space = componentSpace(model, perKey[g]!);
      this.comps.push(space);
      this.compInit.push(space.init);
    }
    this.vecs = new Int32Array(this.K * 64);
    this.hashes = new Int32Array(64);
    this.table = new Int32Array(256).fill(-1);
    this.mask = 255;
    let h = 0;
    for (let g = 0; g < this.K; g++) {
      this.vecs[g] = this.compInit[g]!;
      h ^= zob(g, this.compInit[g]!);
    }
    this.insert(0, h);
    this.count = 1;
  }

  get bytes(): number {
    return (this.vecs.length + this.hashes.length + this.table.length) * 4 + this.comps.reduce((b, c) => b + c.bytes, 0);
  }

  /** Number of distinct whole states met so far. */
  get size(): number {
    return this.count;
  }

  next(cls: number, s: number): number {
    const K = this.K;
    const g = this.keyOf[cls]!;
    const c = this.vecs[s * K + g]!;
    const c2 = this.comps[g]!.next(this.local[cls]!, c);
    if (c2 < 0) return -1;
    if (c2 === c) return s;
    const h = this.hashes[s]! ^ zob(g, c) ^ zob(g, c2);
    const vecs = this.vecs;
    let i = fmix(h) & this.mask;
    for (;;) {
      const t = this.table[i]!;
      if (t < 0) break;
      if (this.hashes[t] === h) {
        const a = t * K;
        const b = s * K;
        let eq = true;
        for (let j = 0; j < K; j++) {
          const want = j === g ? c2 : vecs[b + j]!;
          if (vecs[a + j] !== want) {
            eq = false;
            break;
          }
        }
        if (eq) return t;
      }
      i = (i + 1) & this.mask;
    }
    const id = this.count++;
    if ((id + 1) * K > this.vecs.length) {
      const v = new Int32Array(this.vecs.length * 2);
      v.set(this.vecs);
      this.vecs = v;
      const hs = new Int32Array(this.hashes.length * 2);
      hs.set(this.hashes);
      this.hashes = hs;
    }
    this.vecs.copyWithin(id * K, s * K, s * K + K);
    this.vecs[id * K + g] = c2;
    this.table[i] = id;
    this.hashes[id] = h;
    if (this.count * 2 > this.table.length) this.rehash();
    return id;
  }

  toward(t: number, cls: number): boolean {
    const g = this.keyOf[cls]!;
    const comp = this.comps[g]!;
    const c = this.vecs[t * this.K + g]!;
    return comp.toward ? comp.toward(c, this.local[cls]!) : comp.next(this.local[cls]!, c) >= 0;
  }

  resets(c: number, obs: number): boolean {
    const g = this.keyOf[obs]!;
    if (this.keyOf[c] !== g) return false;
    return this.comps[g]!.resets?.(this.local[c]!, this.local[obs]!) ?? true;
  }

  describe(s: number, key?: string): string {
    const parts: string[] = [];
    for (let g = 0; g < this.K; g++) {
      if (key !== undefined && this.keyNames[g] !== key) continue;
      const c = this.vecs[s * this.K + g]!;
      if (key === undefined && c === this.compInit[g]) continue;
      parts.push(key !== undefined ? this.comps[g]!.describe(c, key) : `${this.keyNames[g]}: ${this.comps[g]!.describe(c, this.keyNames[g])}`);
    }
    return key !== undefined ? (parts[0] ?? '') : `{${parts.join(', ')}}`;
  }

  private insert(id: number, h: number): void {
    this.hashes[id] = h;
    let i = fmix(h) & this.mask;
    while (this.table[i]! >= 0) i = (i + 1) & this.mask;
    this.table[i] = id;
  }

  private rehash(): void {
    this.table = new Int32Array(this.table.length * 2).fill(-1);
    this.mask = this.table.length - 1;
    for (let id = 0; id < this.count; id++) this.insert(id, this.hashes[id]!);
  }
}
