/**
 * A cache of transitions (state, class) → next state, for a state space.
 *
 * Why two layouts: a register has a handful of states, so a dense table (one row of classes per
 * state) answers with one array read. A key-value store with appends has a new state for
 * almost every order of the pending appends, and classes by the hundred, so a dense table would
 * be mostly empty and would be copied on every doubling; past a size it moves to an
 * open-addressing hash table that holds only the transitions the search asked for.
 */
import { fmix } from './hash.js';

/** Entries of the dense table before it moves to the hash table. */
const DENSE_MAX = 1 << 20;

/** Cached transitions; `get` returns -2 for "not known yet". */
export class TransitionCache {
  private dense: Int32Array | undefined;
  private denseStates = 16;
  /** Hashed: slot i holds [s, c, t + 2] at 3i (0 in the third word: empty), one cache line per probe. */
  private slots = new Int32Array(0);
  private size = 0;
  private mask = 0;

  constructor(private readonly classes: number) {
    if (classes * this.denseStates <= DENSE_MAX) this.dense = new Int32Array(classes * this.denseStates).fill(-2);
    else this.toHashed();
  }

  /** Bytes held. */
  get bytes(): number {
    return this.dense ? this.dense.length * 4 : this.slots.length * 4;
  }

  get(s: number, c: number): number {
    const d = this.dense;
    if (d !== undefined) return s < this.denseStates ? d[s * this.classes + c]! : -2;
    const slots = this.slots;
    let i = fmix(Math.imul(s, 0x9e3779b1) ^ c) & this.mask;
    for (;;) {
      const b = 3 * i;
      const v = slots[b + 2]!;
      if (v === 0) return -2;
      if (slots[b] === s && slots[b + 1] === c) return v - 2;
      i = (i + 1) & this.mask;
    }
  }

  set(s: number, c: number, t: number): void {
    if (this.dense !== undefined) {
      if (s < this.denseStates) {
        this.dense[s * this.classes + c] = t;
        return;
      }
      let cap = this.denseStates;
      while (cap <= s) cap *= 2;
      if (cap * this.classes <= DENSE_MAX) {
        const grown = new Int32Array(cap * this.classes).fill(-2);
        grown.set(this.dense);
        this.dense = grown;
        this.denseStates = cap;
        this.dense[s * this.classes + c] = t;
        return;
      }
      this.toHashed();
    }
    this.insert(s, c, t);
    if (++this.size * 2 > this.mask + 1) this.grow();
  }

  /** Move the dense table's entries to a hash table. */
  private toHashed(): void {
    const old = this.dense;
    this.dense = undefined;
    this.allocate(1 << 12);
    if (!old) return;
    for (let k = 0; k < old.length; k++) {
      if (old[k] === -2) continue;
      this.insert(Math.floor(k / this.classes), k % this.classes, old[k]!);
      if (++this.size * 2 > this.mask + 1) this.grow();
    }
  }

  private allocate(cap: number): void {
    this.slots = new Int32Array(3 * cap);
    this.mask = cap - 1;
  }

  private insert(s: number, c: number, t: number): void {
    const slots = this.slots;
    let i = fmix(Math.imul(s, 0x9e3779b1) ^ c) & this.mask;
    while (slots[3 * i + 2] !== 0) i = (i + 1) & this.mask;
    slots[3 * i] = s;
    slots[3 * i + 1] = c;
    slots[3 * i + 2] = t + 2;
  }

  private grow(): void {
    const old = this.slots;
    this.allocate(2 * (this.mask + 1));
    for (let b = 0; b < old.length; b += 3) if (old[b + 2] !== 0) this.insert(old[b]!, old[b + 1]!, old[b + 2]! - 2);
  }
}
