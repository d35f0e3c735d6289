/**
 * Why one transaction depends on another in a list-append history, in words: the witness of a
 * ww, wr or rw edge, found again from the two transactions' micro-operations and the version
 * orders (kept from the analysis, so only the edges of reported cycles ever cost anything).
 */
import type { PairExplainer } from '../explainer.js';
import { RW, WR, WW } from '../graph/rels.js';
import { OK } from '../history.js';
import { show, showList } from '../render.js';
import { prevState } from './edges.js';
import type { AppendTables } from './tables.js';

export class AppendExplainer implements PairExplainer {
  constructor(private readonly tb: AppendTables) {}

  explain(a: number, b: number, rel: number, A: string, B: string): string | undefined {
    if (rel === WR) return this.wr(a, b, A, B);
    if (rel === WW || rel === RW) return this.viaAppend(a, b, rel, A, B);
    return undefined;
  }

  /** The element a read of key k ending in `list` saw, or the initial state. */
  private readState(k: number, list: readonly unknown[]): number {
    const el = this.tb.el;
    return list.length === 0 ? el.count + k : el.find(k, list[list.length - 1]);
  }

  private wr(a: number, b: number, A: string, B: string): string | undefined {
    const el = this.tb.el;
    for (const mop of this.tb.h.mops[b]!) {
      const list = mop[2] as readonly unknown[] | null;
      if (mop[0] !== 'r' || !list || list.length === 0) continue;
      const e = this.readState(el.findKey(mop[1]), list);
      if (e >= 0 && el.writer[e] === a) return `${B} read key ${show(mop[1])} = ${showList(list)}, which ends with ${A}'s append of ${show(el.value[e])}`;
    }
    return undefined;
  }

  private viaAppend(a: number, b: number, rel: number, A: string, B: string): string | undefined {
    const { el, h } = this.tb;
    for (const mop of h.mops[b]!) {
      if (mop[0] !== 'append') continue;
      const k = el.findKey(mop[1]);
      const e = el.find(k, mop[2]);
      const prev = prevState(this.tb, e);
      const key = show(mop[1]);
      const value = show(mop[2]);
      const seen = this.tb.pos[e]! >= 0;
      if (rel === WW) {
        if (prev >= el.count || el.writer[prev] !== a) continue;
        const before = show(el.value[prev]);
        return seen
          ? `${B} appended ${value} to key ${key} right after ${A}'s append of ${before}`
          : `${B} appended ${value} to key ${key}, which no read saw, so it came after ${before}, the last element any read saw, which ${A} appended`;
      }
      if (h.status[a] !== OK) continue;
      for (const read of h.mops[a]!) {
        const list = (read[2] as readonly unknown[] | null) ?? [];
        if (read[0] !== 'r' || read[1] !== mop[1] || this.readState(k, list) !== prev) continue;
        if (prev >= el.count) {
          return seen ? `${A} read key ${key} = [] and ${B} appended ${value}, its first element` : `${A} read key ${key} = [] without ${B}'s append of ${value}, which no read ever saw`;
        }
        return seen
          ? `${A} read key ${key} = ${showList(list)} without ${B}'s append of ${value}, the element right after ${show(el.value[prev])}`
          : `${A} read key ${key} = ${showList(list)} without ${B}'s append of ${value}, which no read ever saw`;
      }
    }
    return undefined;
  }
}
