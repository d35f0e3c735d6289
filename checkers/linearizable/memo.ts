/**
 * The set of configurations the search has visited: exact keys of variable length in one
 * typed-array arena, found through an open-addressing hash table. Each record also holds a
 * tag, which the search sets when it leaves a configuration behind (the key it failed on).
 *
 * Why not `Set<string>` or full bitsets: a configuration is (linearized set, state), and the
 * linearized set of a long history has thousands of bits. Only the bits of operations still
 * concurrent with the frontier are unknown, so a key is a handful of 32-bit words; the table
 * compares them exactly, so a hash collision can never prune a branch the search needs.
 */

/** Exact set of int32 word sequences, with 64-bit hashes supplied by the caller. */
export class Memo {
  private cap: number;
  private mask: number;
  /** Slot i holds [arena offset + 1 (0: empty), h1, h2] at 3i: one cache line per probe. */
  private slots: Int32Array;
  private arena: Int32Array;
  private top = 0;
  /** Number of keys stored. */
  size = 0;

  constructor(initialCapacity = 1 << 12) {
    let cap = 16;
    while (cap < initialCapacity) cap *= 2;
    this.cap = cap;
    this.mask = cap - 1;
    this.slots = new Int32Array(cap * 3);
    this.arena = new Int32Array(cap * 4);
  }

  /** Bytes held by the table and the arena. */
  get bytes(): number {
    return this.cap * 12 + this.arena.length * 4;
  }

  /**
   * The record holding `key[0..len)` (with hashes `h1`, `h2`), or -1. A record is a handle for
   * its tag.
   */
  find(h1: number, h2: number, key: Int32Array, len: number): number {
    const i = this.slot(h1, h2, key, len);
    return i >= 0 ? this.slots[3 * i]! - 1 : -1;
  }

  /** The tag of a record (-1 until set). */
  tag(record: number): number {
    return this.arena[record + 1]!;
  }

  setTag(record: number, tag: number): void {
    this.arena[record + 1] = tag;
  }

  /** The slot holding the key, or -1 - (the empty slot where it would go). */
  private slot(h1: number, h2: number, key: Int32Array, len: number): number {
    let i = h1 & this.mask;
    const slots = this.slots;
    const arena = this.arena;
    for (;;) {
      const b = 3 * i;
      const o = slots[b]!;
      if (o === 0) return -1 - i;
      if (slots[b + 1] === h1 && slots[b + 2] === h2) {
        const base = o - 1;
        if (arena[base] === len) {
          let j = 0;
          while (j < len && arena[base + 2 + j] === key[j]) j++;
          if (j === len) return i;
        }
      }
      i = (i + 1) & this.mask;
    }
  }

  /**
   * Insert `key[0..len)` with hashes `h1`, `h2`: returns its new record, or, when it was
   * already present, `~record` (a negative number).
   */
  add(h1: number, h2: number, key: Int32Array, len: number): number {
    const found = this.slot(h1, h2, key, len);
    if (found >= 0) return ~(this.slots[3 * found]! - 1);
    const i = -1 - found;
    if (this.top + len + 2 > this.arena.length) this.growArena(len + 2);
    const base = this.top;
    const a = this.arena;
    a[base] = len;
    a[base + 1] = -1;
    for (let j = 0; j < len; j++) a[base + 2 + j] = key[j]!;
    this.top += len + 2;
    const slots = this.slots;
    slots[3 * i] = base + 1;
    slots[3 * i + 1] = h1;
    slots[3 * i + 2] = h2;
    this.size++;
    if (this.size * 2 > this.cap) this.rehash();
    return base;
  }

  private growArena(need: number): void {
    let len = this.arena.length * 2;
    while (len < this.top + need) len *= 2;
    const a = new Int32Array(len);
    a.set(this.arena.subarray(0, this.top));
    this.arena = a;
  }

  private rehash(): void {
    const old = this.slots;
    this.cap *= 2;
    this.mask = this.cap - 1;
    const slots = (this.slots = new Int32Array(this.cap * 3));
    for (let k = 0; k < old.length; k += 3) {
      const o = old[k]!;
      if (o === 0) continue;
      const h1 = old[k + 1]!;
      let i = h1 & this.mask;
      while (slots[3 * i] !== 0) i = (i + 1) & this.mask;
      slots[3 * i] = o;
      slots[3 * i + 1] = h1;
      slots[3 * i + 2] = old[k + 2]!;
    }
  }
}
