/**
 * Version orders of registers and the ww and rw edges they give (Elle's version graphs).
 *
 * For every version edge v1 → v2 of a key, the transaction that wrote v2 follows the one that
 * wrote v1 (ww) and every transaction that read v1 (rw). The version graph is only as complete
 * as its sources: with the initial state alone, the only order known is null before every
 * value, so rw edges come from reads of null and nothing else; a register checker therefore
 * misses what a list-append checker would see. A key whose facts contradict each other (a
 * cycle among its versions) is reported as cyclic-versions and keeps only the initial-state
 * facts, which cannot. The graph is kept reversed, since each transaction's edges start from
 * the versions right before the ones it wrote.
 */
import { uint8 } from '../arena.js';
import type { CaseLog } from '../cases.js';
import { buildGraph, type Graph } from '../graph/csr.js';
import type { GraphBuilder } from '../graph/builder.js';
import { RW, WR, WW } from '../graph/rels.js';
import { stronglyConnected } from '../graph/scc.js';
import { groupBy } from '../int-vec.js';
import { show } from '../render.js';
import { INITIAL, SEQUENTIAL, WFR, type ScanOutput } from './scan.js';
import type { RegisterTables } from './tables.js';

export interface Versions {
  /** The version graph over version ids, reversed (row v2 lists the v1 with v1 → v2); relation bits = sources. */
  readonly before: Graph;
  /** Keys whose version facts were cyclic (1): only initial-state facts count for them. */
  readonly cyclic: Uint8Array;
  /** External readers grouped by version. */
  readonly readers: ReturnType<typeof groupBy>;
}

/** The key of version v. */
export function versionKey(tb: RegisterTables, v: number): number {
  return v < tb.el.count ? tb.el.key[v]! : v - tb.el.count;
}

/** The sources that count for version edges of key k. */
export function usableSources(cyclic: Uint8Array, k: number): number {
  return cyclic[k] ? INITIAL : INITIAL | WFR | SEQUENTIAL;
}

export function buildVersions(tb: RegisterTables, scan: ScanOutput, cases: CaseLog): Versions {
  const { el } = tb;
  const n = el.count + el.keys.length;
  const before = buildGraph(n, scan.versionEdges, true);
  const cyclic = uint8(el.keys.length);
  for (const scc of stronglyConnected(before, INITIAL | WFR | SEQUENTIAL).nontrivial) {
    const k = versionKey(tb, scc[0]!);
    cyclic[k] = 1;
    const values = [...scc].slice(0, 10).map((v) => (v < el.count ? show(el.value[v]) : 'null'));
    cases.add('cyclic-versions', () => ({
      key: el.keys[k],
      txns: [...scc].filter((v) => v < el.count && el.writer[v]! >= 0).slice(0, 10).map((v) => el.writer[v]!),
      summary: `the inferred version order of key ${show(el.keys[k])} has a cycle among ${scc.length} versions`,
      explanation:
        `The facts about key ${show(el.keys[k])}'s versions (initial state first, writes following reads, each process seeing versions in order) ` +
        `put ${values.join(', ')}${scc.length > 10 ? ', …' : ''} in a cycle: no single order of its versions agrees with what was observed.`,
    }));
  }
  return { before, cyclic, readers: groupBy(n, scan.readerVersion.view(), scan.readerTxn.view()) };
}

/**
 * Add transaction t's incoming edges: wr from the writer of each version it read externally;
 * for each version v2 it wrote externally and each v1 right before v2, ww from v1's writer and
 * rw from v1's readers.
 */
export function registerEdgesInto(tb: RegisterTables, scan: ScanOutput, vs: Versions, t: number, b: GraphBuilder): void {
  const { el, mopStart, mopElem } = tb;
  const { before, readers } = vs;
  for (let slot = mopStart[t]!; slot < mopStart[t + 1]!; slot++) {
    const read = scan.slotRead[slot]!;
    if (read >= 0 && read < el.count && el.writer[read]! >= 0) b.add(el.writer[read]!, WR);
    if (!scan.slotExtWrite[slot]) continue;
    const v2 = mopElem[slot]!;
    const allowed = usableSources(vs.cyclic, el.key[v2]!);
    for (let e = before.offsets[v2]!; e < before.offsets[v2 + 1]!; e++) {
      if ((before.rels[e]! & allowed) === 0) continue;
      const v1 = before.targets[e]!;
      if (v1 < el.count && el.writer[v1]! >= 0) b.add(el.writer[v1]!, WW);
      for (let i = readers.offsets[v1]!; i < readers.offsets[v1 + 1]!; i++) b.add(readers.items[i]!, RW);
    }
  }
}
