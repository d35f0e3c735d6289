/**
 * Keys and written values as integer ids. An element is one (key, value) pair, a list element
 * (list-append) or a register version (rw-register); its writer is the transaction that
 * appended or wrote it: a vertex id (>= 0), a failed transaction (`failedWriter`), or nobody
 * (`NO_WRITER`: a value some read returned but no transaction wrote).
 *
 * Why ids, and why open-addressing hash tables of typed arrays instead of Maps: every later
 * pass works on arrays indexed by key and element id, and a million transactions make millions
 * of elements (and can make millions of keys); JavaScript Maps that size cost seconds of
 * hashing and garbage collection, the tables here a few hundred milliseconds.
 */
import { int32, uint8 } from './arena.js';

export const NO_WRITER = -1;

/** The writer code of failed transaction `f`. */
export function failedWriter(f: number): number {
  return -2 - f;
}

/** The failed transaction behind a writer code, or -1 when the writer did not fail. */
export function failedId(writer: number): number {
  return writer <= -2 ? -2 - writer : -1;
}

/** Flag: the element's transaction wrote the same key again later (an intermediate version). */
export const INTERMEDIATE = 1;

const scratch = new Float64Array(1);
const words = new Int32Array(scratch.buffer);

/** A 32-bit hash of a scalar; numbers, strings and booleans never collide by type. */
function hashScalar(v: unknown): number {
  if (typeof v === 'number') {
    if ((v | 0) === v) return v | 0;
    scratch[0] = v;
    return (words[0]! ^ Math.imul(words[1]!, 0x85ebca6b)) ^ 0x5bd1e995;
  }
  if (typeof v === 'string') {
    let h = 0x811c9dc5;
    for (let i = 0; i < v.length; i++) h = Math.imul(h ^ v.charCodeAt(i), 16777619);
    return h ^ 0x27d4eb2f;
  }
  return v ? 0x3c6ef372 : 0x1b873593;
}

/** The hash of scalar v within group g (a key id plus one for elements; 0 for keys). */
function mix(g: number, v: unknown): number {
  let h = hashScalar(v) ^ Math.imul(g + 1, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export class Elements {
  readonly keys: unknown[] = [];
  key: Int32Array;
  writer: Int32Array;
  flags: Uint8Array;
  readonly value: unknown[] = [];
  count = 0;
  /** Open-addressing tables of key ids and element ids, plus one (0: empty), at most half full. */
  private keySlots: Int32Array;
  private slots: Int32Array;

  /** `expected`: at most about how many elements and keys there will be (sized once, to spare rehashing). */
  constructor(expected: number) {
    const cap = Math.max(1024, Math.ceil(expected * 1.05) + 64);
    this.key = int32(cap);
    this.writer = int32(cap);
    this.flags = uint8(cap);
    // Zero means empty, so the tables need no filling: pages no entry lands on are never touched.
    this.slots = int32(2 ** Math.ceil(Math.log2(2 * cap)));
    this.keySlots = int32(2 ** Math.ceil(Math.log2(2 * cap)));
  }

  /** The id of key `k`, made on first sight. */
  keyId(k: unknown): number {
    const mask = this.keySlots.length - 1;
    let i = mix(0, k) & mask;
    for (; ; i = (i + 1) & mask) {
      const id = this.keySlots[i]! - 1;
      if (id < 0) break;
      if (this.keys[id] === k) return id;
    }
    const id = this.keys.length;
    this.keys.push(k);
    this.keySlots[i] = id + 1;
    if (2 * this.keys.length > this.keySlots.length) this.keySlots = this.rehashed(this.keySlots, this.keys.length, (j) => mix(0, this.keys[j]));
    return id;
  }

  /** The id of key `k`, or -1 when no micro-operation named it. */
  findKey(k: unknown): number {
    const mask = this.keySlots.length - 1;
    for (let i = mix(0, k) & mask; ; i = (i + 1) & mask) {
      const id = this.keySlots[i]! - 1;
      if (id < 0 || this.keys[id] === k) return id;
    }
  }

  /** The element `v` of key `kid`, or -1. */
  find(kid: number, v: unknown): number {
    const mask = this.slots.length - 1;
    for (let i = mix(kid + 1, v) & mask; ; i = (i + 1) & mask) {
      const e = this.slots[i]! - 1;
      if (e < 0) return -1;
      if (this.key[e] === kid && this.value[e] === v) return e;
    }
  }

  /** Make element `v` of key `kid` with its writer; the caller has checked it is new. */
  add(kid: number, v: unknown, writer: number): number {
    const e = this.count++;
    if (e === this.key.length) this.grow();
    this.key[e] = kid;
    this.writer[e] = writer;
    this.value.push(v);
    if (2 * this.count > this.slots.length) this.slots = this.rehashed(this.slots, this.count, (j) => mix(this.key[j]! + 1, this.value[j]));
    else this.place(this.slots, e, mix(kid + 1, v));
    return e;
  }

  private place(slots: Int32Array, id: number, hash: number): void {
    const mask = slots.length - 1;
    let i = hash & mask;
    while (slots[i] !== 0) i = (i + 1) & mask;
    slots[i] = id + 1;
  }

  private rehashed(old: Int32Array, count: number, hash: (id: number) => number): Int32Array {
    const slots = int32(old.length * 4);
    for (let id = 0; id < count; id++) this.place(slots, id, hash(id));
    return slots;
  }

  private grow(): void {
    const cap = this.key.length * 2;
    const key = int32(cap);
    key.set(this.key);
    const writer = int32(cap);
    writer.set(this.writer);
    const flags = uint8(cap);
    flags.set(this.flags);
    this.key = key;
    this.writer = writer;
    this.flags = flags;
  }
}
