/**
 * Why one transaction depends on another in an rw-register history, in words: the key, the two
 * versions, and which fact put them in order.
 */
import type { PairExplainer } from '../explainer.js';
import { edgeRels } from '../graph/csr.js';
import { RW, WR, WW } from '../graph/rels.js';
import { OK } from '../history.js';
import { show } from '../render.js';
import { SEQUENTIAL, WFR } from './scan.js';
import { initVersion, type RegisterTables } from './tables.js';
import { usableSources, type Versions } from './versions.js';

/** A transaction's external accesses: key id → version (first read; last write). */
interface External {
  reads: Map<number, number>;
  writes: Map<number, number>;
}

function why(sources: number): string {
  if (sources & WFR) return 'a transaction read the first and then wrote the second';
  if (sources & SEQUENTIAL) return 'one process saw them in that order';
  return 'every version follows the initial state';
}

export class RegisterExplainer implements PairExplainer {
  constructor(
    private readonly tb: RegisterTables,
    private readonly vs: Versions,
  ) {}

  private external(t: number): External {
    const { el, h } = this.tb;
    const reads = new Map<number, number>();
    const writes = new Map<number, number>();
    const seen = new Set<number>();
    for (const mop of h.mops[t]!) {
      const k = el.findKey(mop[1]);
      if (!seen.has(k) && mop[0] === 'r' && h.status[t] === OK) reads.set(k, mop[2] === null ? initVersion(this.tb, k) : el.find(k, mop[2]));
      seen.add(k);
      if (mop[0] === 'w') writes.set(k, el.find(k, mop[2]));
    }
    return { reads, writes };
  }

  /** The sources ordering version v1 right before v2 of key k (0 when none counts). */
  private order(k: number, v1: number, v2: number): number {
    return edgeRels(this.vs.before, v2, v1) & usableSources(this.vs.cyclic, k);
  }

  explain(a: number, b: number, rel: number, A: string, B: string): string | undefined {
    const { el } = this.tb;
    const ea = this.external(a);
    const eb = this.external(b);
    const value = (v: number): string => (v < el.count ? show(el.value[v]) : 'null');
    if (rel === WR) {
      for (const [k, v] of eb.reads) if (v < el.count && el.writer[v] === a) return `${B} read key ${show(el.keys[k])} = ${value(v)}, which ${A} wrote`;
      return undefined;
    }
    const from = rel === WW ? ea.writes : rel === RW ? ea.reads : undefined;
    for (const [k, v1] of from ?? []) {
      const v2 = eb.writes.get(k);
      if (v2 === undefined) continue;
      const sources = this.order(k, v1, v2);
      if (sources === 0) continue;
      const key = show(el.keys[k]);
      const verb = rel === WW ? 'set' : 'read';
      return `${A} ${verb} key ${key} ${rel === WW ? 'to' : '='} ${value(v1)} and ${B} set it to ${value(v2)}, the version right after it (${why(sources)})`;
    }
    return undefined;
  }
}
