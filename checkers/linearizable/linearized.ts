/**
 * The linearized set of a search and its memo keys: a bitset by op id, counts of linearized
 * unknown-outcome ops per class (layout.ts says why counts suffice), and a Zobrist hash, all
 * updated in constant time per op. A key names (linearized set, state) exactly in a few words:
 * the state, the frontier, the bits of the ops still uncertain at that frontier, and the counts.
 */
import { fmix } from './hash.js';
import type { Layout } from './layout.js';

export class LinearizedSet {
  /** Bit i: op i is linearized. */
  readonly bits: Int32Array;
  /** The last key built (`keyFor`), and its two hashes. */
  readonly key: Int32Array;
  h1 = 0;
  h2 = 0;
  private hLo = 0;
  private hHi = 0;
  private readonly count: Int32Array;
  private readonly counts: Int32Array;

  constructor(
    private readonly l: Layout,
    classes: number,
    /** The class of each op. */
    private readonly cls: Int32Array,
  ) {
    this.bits = new Int32Array(l.linWords);
    this.key = new Int32Array(l.maxKey);
    this.count = new Int32Array(classes);
    this.counts = new Int32Array(l.infoWords);
  }

  /** Linearize op `y` (`unknown`: of unknown outcome). */
  add(y: number, unknown: boolean): void {
    this.bits[y >>> 5]! |= 1 << (y & 31);
    this.toggleHash(y);
    if (unknown) this.addCount(this.cls[y]!, 1);
  }

  /** Unlinearize op `y`. */
  remove(y: number, unknown: boolean): void {
    this.bits[y >>> 5]! &= ~(1 << (y & 31));
    this.toggleHash(y);
    if (unknown) this.addCount(this.cls[y]!, -1);
  }

  /** Fill `key`, `h1`, `h2` for this set with state `t` and frontier `f`; returns the key's length. */
  keyFor(t: number, f: number): number {
    const { loW, hiW, infoW } = this.l;
    const key = this.key;
    key[0] = t;
    key[1] = f;
    let k = 2;
    const hi = hiW[f]!;
    for (let w = loW[f]!; w <= hi; w++) key[k++] = this.bits[w]!;
    const iw = infoW[f]!;
    for (let w = 0; w < iw; w++) key[k++] = this.counts[w]!;
    const mix = Math.imul(t + 1, 0x9e3779b1);
    this.h1 = fmix(this.hLo ^ mix);
    this.h2 = fmix(this.hHi + mix);
    return k;
  }

  private toggleHash(y: number): void {
    this.hLo ^= this.l.zLo[y]!;
    this.hHi ^= this.l.zHi[y]!;
  }

  /** Add `delta` to the count of linearized unknown-outcome ops of class `c`, in the count words. */
  private addCount(c: number, delta: number): void {
    const k = (this.count[c]! += delta);
    const w = this.l.infoWord[c]!;
    const sh = this.l.infoShift[c]!;
    const m = this.l.infoMask[c]!;
    this.counts[w] = (this.counts[w]! & ~(m << sh)) | ((k & m) << sh);
  }
}
