/**
 * A growable Int32Array: the checker's stand-in for `number[]` wherever millions of integers
 * are collected (micro-operation tables, reader lists), at four bytes each and without the
 * boxing a JavaScript array falls back to.
 */
import { int32 } from './arena.js';
export class IntVec {
  data: Int32Array;
  length = 0;

  constructor(capacity = 1024) {
    this.data = int32(Math.max(16, capacity));
  }

  push(x: number): void {
    if (this.length === this.data.length) {
      const next = int32(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = x;
  }

  /** The values pushed so far (a view, valid until the next push). */
  view(): Int32Array {
    return this.data.subarray(0, this.length);
  }
}

/**
 * Group `values` by `groups` (parallel arrays) into CSR form: the values of group g are
 * `items[offsets[g] .. offsets[g+1])`, in the order they were pushed (a stable counting sort).
 */
export function groupBy(groupCount: number, groups: Int32Array, values: Int32Array): { offsets: Int32Array; items: Int32Array } {
  const offsets = int32(groupCount + 1);
  for (let i = 0; i < groups.length; i++) offsets[groups[i]! + 1]!++;
  for (let g = 0; g < groupCount; g++) offsets[g + 1]! += offsets[g]!;
  const fill = int32(groupCount);
  fill.set(offsets.subarray(0, groupCount));
  const items = int32(groups.length);
  for (let i = 0; i < groups.length; i++) items[fill[groups[i]!]!++] = values[i]!;
  return { offsets, items };
}
