/**
 * Builds a CSR graph row by row: rows come in order, each row's entries are added one by one,
 * and repeated entries in a row are merged (their relation bits OR-ed), with no intermediate
 * edge list.
 *
 * Why: the dependency graph of a million transactions has millions of edges; collecting them
 * first and sorting them after doubles the memory, and every large typed array allocated while
 * the history is in memory makes V8 mark the whole history again ("external memory pressure").
 * Every inference here produces a transaction's incoming edges while it visits that
 * transaction, so the checker builds the graph of incoming edges directly, in one pass, and
 * searches it (a cycle reversed is a cycle).
 */
import { int32, uint8 } from '../arena.js';
import type { Graph } from './csr.js';

export class GraphBuilder {
  private readonly offsets: Int32Array;
  private entries: Int32Array;
  private bits: Uint8Array;
  private length = 0;
  private row = -1;
  /** For each vertex, where the current row holds it (valid when `stamp[w] === row + 1`). */
  private readonly slot: Int32Array;
  private readonly stamp: Int32Array;

  constructor(
    readonly n: number,
    capacity: number,
  ) {
    this.offsets = int32(n + 1);
    this.entries = int32(Math.max(16, capacity));
    this.bits = uint8(this.entries.length);
    this.slot = int32(n);
    this.stamp = int32(n);
  }

  /** Start row v; rows must be started in increasing order, skipped rows stay empty. */
  startRow(v: number): void {
    while (this.row < v) this.offsets[++this.row] = this.length;
  }

  /** Add entry w with relation bits `rel` to the current row (w equal to the row is dropped). */
  add(w: number, rel: number): void {
    const row = this.row;
    if (w === row) return;
    if (this.stamp[w] === row + 1) {
      this.bits[this.slot[w]!]! |= rel;
      return;
    }
    if (this.length === this.entries.length) this.grow();
    this.stamp[w] = row + 1;
    this.slot[w] = this.length;
    this.entries[this.length] = w;
    this.bits[this.length++] = rel;
  }

  finish(): Graph {
    this.startRow(this.n);
    return { n: this.n, offsets: this.offsets, targets: this.entries.subarray(0, this.length), rels: this.bits.subarray(0, this.length) };
  }

  private grow(): void {
    const entries = int32(Math.ceil(this.entries.length * 1.5));
    entries.set(this.entries);
    const bits = uint8(entries.length);
    bits.set(this.bits);
    this.entries = entries;
    this.bits = bits;
  }
}
