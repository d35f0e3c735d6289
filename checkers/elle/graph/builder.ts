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

/** Rows shorter than this are searched by scanning; longer ones through the vertex-indexed marks. */
const SHORT_ROW = 16;

export class GraphBuilder {
  private readonly offsets: Int32Array;
  private entries: Int32Array;
  private bits: Uint8Array;
  private length = 0;
  private row = -1;
  /** Where the current row starts in `entries`. */
  private rowStart = 0;
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
    this.rowStart = this.length;
  }

  /** Add entry w with relation bits `rel` to the current row (w equal to the row is dropped). */
  add(w: number, rel: number): void {
    const row = this.row;
    if (w === row) return;
    const size = this.length - this.rowStart;
    if (size < SHORT_ROW) {
      // Most rows are short: a scan of the row is cheaper than touching two vertex-sized arrays.
      for (let i = this.rowStart; i < this.length; i++) {
        if (this.entries[i] === w) {
          this.bits[i]! |= rel;
          return;
        }
      }
    } else {
      if (size === SHORT_ROW && this.stamp[this.entries[this.rowStart]!] !== row + 1) {
        for (let i = this.rowStart; i < this.length; i++) this.mark(this.entries[i]!, i);
      }
      if (this.stamp[w] === row + 1) {
        this.bits[this.slot[w]!]! |= rel;
        return;
      }
    }
    if (this.length === this.entries.length) this.grow();
    if (size >= SHORT_ROW) this.mark(w, this.length);
    this.entries[this.length] = w;
    this.bits[this.length++] = rel;
  }

  private mark(w: number, at: number): void {
    this.stamp[w] = this.row + 1;
    this.slot[w] = at;
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
