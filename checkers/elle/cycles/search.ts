/**
 * Cycle search over a whole dependency graph: strongly connected components first, then, in
 * each component, the shortest cycle of each anomaly type, most severe first, skipping types
 * a cycle already found implies (Elle's strategy).
 *
 * Why components, and sub-components per relation mask: a cycle lies inside one component, and
 * a cycle that may only use relations R lies inside one component of the R-edges. Computing
 * those once per mask (linear, restricted to the vertices of non-trivial components) tells for
 * free where each type cannot be, so the search only runs where it can succeed. Why budgets:
 * where a type is absent, proving it absent can take a search from every vertex; each
 * component gets a number of steps and of milliseconds, and the whole check a deadline. A
 * component that runs out is still answered: with the cycles found so far, one cycle found by
 * a plain search (fallback.ts), and "a cycle exists" for every relation mask that has one.
 */
import { int32 } from '../arena.js';
import type { Graph } from '../graph/csr.js';
import { PROCESS, REALTIME, RW, WR, WW } from '../graph/rels.js';
import { induceComponents, stronglyConnected } from '../graph/scc.js';
import { impliedAnomalies, impossibleModels } from '../consistency/models.js';
import { BfsScratch, CycleBfs, type FoundCycle } from './bfs.js';
import { shortestCycleThrough } from './fallback.js';
import { classifyCycle, minCycleLength, type CycleSpec } from './specs.js';

/** A cycle found, with the index of its component. */
export interface Finding extends FoundCycle {
  type: string;
  scc: number;
  /** Found by the fallback search after the typed search ran out of budget. */
  fallback?: boolean;
}

/** A component whose typed search ran out of budget. */
export interface SccTimeout {
  scc: number;
  sccSize: number;
  /** The types whose search ran out of budget (and that no cycle found implies). */
  searching: string[];
  /** Types searched for completely, and not there. */
  doesNotContain: string[];
}

/** A relation mask with a cycle in some component, with no typed cycle to show for it. */
export interface CycleExists {
  type: string;
  /** The weakest model that rules it out. */
  model: string;
  scc: number;
  sccSize: number;
}

export interface CycleSearchOptions {
  specs: readonly CycleSpec[];
  /** Relations present in the graph. */
  rels: number;
  stepsPerScc: number;
  msPerScc: number;
  /** Absolute time (performance.now()) after which every remaining component is cut short. */
  deadline: number;
  signal?: AbortSignal;
}

export interface CycleSearchResult {
  findings: Finding[];
  timeouts: SccTimeout[];
  cycleExists: CycleExists[];
  /** Cycle types not searched to the end in some component. */
  unsearched: Set<string>;
  sccSizes: number[];
  steps: number;
}

/** Relation masks whose cycles rule out a model, weakest first (Elle's cycle-exists specs). */
export const CYCLE_EXISTS: readonly { rels: number; type: string; model: string }[] = [
  { rels: WW, type: 'PL-1-cycle-exists', model: 'read-uncommitted' },
  { rels: WW | WR, type: 'PL-2-cycle-exists', model: 'read-committed' },
  { rels: WW | WR | RW, type: 'PL-2.99-cycle-exists', model: 'repeatable-read' },
  { rels: WW | PROCESS, type: 'strong-session-PL-1-cycle-exists', model: 'strong-session-read-uncommitted' },
  { rels: WW | WR | PROCESS, type: 'strong-session-PL-2-cycle-exists', model: 'strong-session-read-committed' },
  { rels: WW | WR | RW | PROCESS, type: 'strong-session-serializable-cycle-exists', model: 'strong-session-serializable' },
  { rels: WW | REALTIME, type: 'strong-PL-1-cycle-exists', model: 'strong-read-uncommitted' },
  { rels: WW | WR | REALTIME, type: 'strong-PL-2-cycle-exists', model: 'strong-read-committed' },
  { rels: WW | WR | RW | REALTIME, type: 'PL-SS-cycle-exists', model: 'strict-serializable' },
];

/** Starts tried after a first cycle is found, looking for a shorter one. */
const EXTRA_STARTS = 16;
/** Milliseconds of work between yields to the event loop. */
const YIELD_MS = 50;

/** Components of one relation mask inside the non-trivial components of the whole graph. */
interface Sub {
  /** Index into `lists` of each vertex's non-trivial sub-component, or -1. */
  of: Int32Array;
  lists: Int32Array[];
  /** Start vertices found so far, by sub-component and relation mask. */
  sources: Map<string, number[]>;
}

class Search {
  private readonly subs = new Map<number, Sub>();
  private readonly scratch: BfsScratch;
  private readonly bfs = new Map<string, CycleBfs>();
  readonly result: CycleSearchResult;

  /** `g` holds only the components, `member[v]` is v's component, `components[i]` its vertices. */
  constructor(
    private readonly g: Graph,
    private readonly member: Int32Array,
    private readonly components: readonly Int32Array[],
    private readonly opts: CycleSearchOptions,
  ) {
    this.scratch = new BfsScratch(g.n);
    this.result = { findings: [], timeouts: [], cycleExists: [], unsearched: new Set(), sccSizes: components.map((c) => c.length), steps: 0 };
  }

  private sub(rels: number): Sub {
    let sub = this.subs.get(rels);
    if (!sub) {
      const { nontrivial } = stronglyConnected(this.g, rels, this.member);
      const of = int32(this.g.n).fill(-1);
      nontrivial.forEach((vs, i) => vs.forEach((v) => (of[v] = i)));
      sub = { of, lists: nontrivial, sources: new Map() };
      this.subs.set(rels, sub);
    }
    return sub;
  }

  /** The non-trivial sub-components of mask `rels` inside component `i`. */
  private subsIn(rels: number, i: number): { sub: Sub; ids: number[] } {
    const sub = this.sub(rels);
    const ids = new Set<number>();
    for (const v of this.components[i]!) if (sub.of[v]! >= 0) ids.add(sub.of[v]!);
    return { sub, ids: [...ids].sort((a, b) => a - b) };
  }

  /** Vertices of sub-component `id` with an edge inside it whose relations meet `mask` (cached: specs share them). */
  private sources(sub: Sub, id: number, mask: number): number[] {
    const cacheKey = `${id}:${mask}`;
    const cached = sub.sources.get(cacheKey);
    if (cached) return cached;
    const found = this.scanSources(sub, id, mask);
    sub.sources.set(cacheKey, found);
    return found;
  }

  private scanSources(sub: Sub, id: number, mask: number): number[] {
    const { offsets, targets, rels } = this.g;
    const out: number[] = [];
    for (const v of sub.lists[id]!) {
      for (let e = offsets[v]!; e < offsets[v + 1]!; e++) {
        if ((rels[e]! & mask) !== 0 && sub.of[targets[e]!] === id) {
          out.push(v);
          break;
        }
      }
    }
    return out.sort((a, b) => a - b);
  }

  /** Where a search for `spec` in sub-component `id` should start; empty when no cycle of it can exist. */
  private starts(spec: CycleSpec, sub: Sub, id: number): number[] {
    let best: number[] | undefined;
    const needs = [...spec.required, ...(spec.rwMode === 'none' ? [] : [RW])];
    for (const mask of needs) {
      const s = this.sources(sub, id, mask);
      if (s.length === 0) return [];
      if (!best || s.length < best.length) best = s;
    }
    return best ?? [...sub.lists[id]!].sort((a, b) => a - b);
  }

  /** The shortest cycle of `spec` in component `i`, null if there is none, 'budget' if that is unknown. */
  private find(spec: CycleSpec, i: number, budget: { steps: number; ms: number; end: number }): FoundCycle | null | 'budget' {
    let bfs = this.bfs.get(spec.type);
    if (!bfs) {
      bfs = new CycleBfs(this.g, spec, this.scratch);
      this.bfs.set(spec.type, bfs);
    }
    const { sub, ids } = this.subsIn(spec.rels, i);
    let best: FoundCycle | null = null;
    let deadline: number | undefined;
    for (const id of ids) {
      let extra = 0;
      const starts = this.starts(spec, sub, id);
      // The time share runs from the first search step, not from the linear set-up before it.
      deadline ??= Math.min(budget.end, performance.now() + budget.ms);
      for (const s of starts) {
        const before = bfs.steps;
        const maxLen = best ? best.vertices.length - 1 : Number.POSITIVE_INFINITY;
        const end = bfs.search(s, sub.of, id, maxLen, before + budget.steps, deadline);
        budget.steps -= bfs.steps - before;
        this.result.steps += bfs.steps - before;
        if (end === 'budget') return best ?? 'budget';
        if (end) best = end;
        if (best && (best.vertices.length <= minCycleLength(spec) || ++extra > EXTRA_STARTS)) break;
      }
      if (best) return best;
    }
    return best;
  }

  /**
   * Search component `i`; `cut` when the global deadline has passed already. Each type gets an
   * equal share of what is left of the component's budget, so that one hard type cannot
   * starve the others (in an enormous component, G1c may need the whole ring while a
   * real-time cycle is two edges away).
   */
  searchScc(i: number, cut: boolean): void {
    const found = new Set<string>();
    const redundant = new Set<string>();
    const absent: string[] = [];
    const cutShort: string[] = [];
    const end = Math.min(this.opts.deadline, performance.now() + this.opts.msPerScc);
    let steps = this.opts.stepsPerScc;
    const specs = this.opts.specs;
    for (let s = 0; s < specs.length; s++) {
      const spec = specs[s]!;
      if (redundant.has(spec.type)) continue;
      const left = specs.slice(s).filter((x) => !redundant.has(x.type)).length;
      if (!cut) this.sub(spec.rels); // Linear and needed anyway: not charged to the search's share.
      const now = performance.now();
      const share = { steps: Math.floor(steps / left), ms: (end - now) / left, end: this.opts.deadline };
      const given = share.steps;
      const result = cut || now >= end ? 'budget' : this.find(spec, i, share);
      steps -= given - share.steps;
      if (result === 'budget') {
        cutShort.push(spec.type);
        this.result.unsearched.add(spec.type);
      } else if (result === null) {
        absent.push(spec.type);
      } else {
        this.record({ ...result, type: spec.type, scc: i }, found, redundant);
      }
    }
    const vs = this.components[i]!;
    const stillOpen = cutShort.filter((t) => !redundant.has(t));
    if (stillOpen.length > 0) {
      this.result.timeouts.push({ scc: i, sccSize: vs.length, searching: stillOpen, doesNotContain: absent });
      const cycle = shortestCycleThrough(this.g, vs[0]!, this.member, i);
      const type = classifyCycle(cycle.labels);
      if (type !== undefined && !redundant.has(type)) this.record({ ...cycle, type, scc: i, fallback: true }, found, redundant);
    }
    this.cycleExists(i, found);
  }

  private record(f: Finding, found: Set<string>, redundant: Set<string>): void {
    this.result.findings.push(f);
    found.add(f.type);
    for (const a of impliedAnomalies([f.type])) redundant.add(a);
  }

  /** "A cycle exists" for each mask with one in component `i` whose model no cycle found rules out. */
  private cycleExists(i: number, found: ReadonlySet<string>): void {
    const impossible = impossibleModels(found);
    for (const c of CYCLE_EXISTS) {
      if ((c.rels & ~this.opts.rels) !== 0 || impossible.has(c.model)) continue;
      const { ids } = this.subsIn(c.rels, i);
      if (ids.length === 0) continue;
      this.result.cycleExists.push({ type: c.type, model: c.model, scc: i, sccSize: this.components[i]!.length });
      for (const m of impossibleModels([c.type])) impossible.add(m);
    }
  }
}

/** The same cycle in the graph with every edge turned around: v0 → vk-1 → … → v1 → v0. */
export function reverseCycle<F extends FoundCycle>(f: F): F {
  const k = f.vertices.length;
  const vertices = [f.vertices[0]!];
  const labels: number[] = [];
  for (let i = k - 1; i >= 1; i--) vertices.push(f.vertices[i]!);
  for (let i = k - 1; i >= 0; i--) labels.push(f.labels[i]!);
  return { ...f, vertices, labels };
}

/** Find the cycles of `g`: every non-trivial component searched for every spec, within budget. */
export async function searchCycles(g: Graph, opts: CycleSearchOptions): Promise<CycleSearchResult> {
  const full = stronglyConnected(g, opts.rels);
  if (full.nontrivial.length === 0) return { findings: [], timeouts: [], cycleExists: [], unsearched: new Set(), sccSizes: [], steps: 0 };
  const induced = induceComponents(g, full.nontrivial, opts.rels);
  const search = new Search(induced.graph, induced.componentOf, induced.components, opts);
  // Small components first, so that one enormous component cannot starve the others.
  const sizes = induced.components.map((c) => c.length);
  const order = sizes.map((_, i) => i).sort((a, b) => sizes[a]! - sizes[b]! || a - b);
  let lastYield = performance.now();
  for (const i of order) {
    const now = performance.now();
    search.searchScc(i, now > opts.deadline || opts.signal?.aborted === true);
    if (now - lastYield > YIELD_MS) {
      await new Promise<void>((r) => setImmediate(r));
      lastYield = performance.now();
    }
  }
  const { result } = search;
  return { ...result, findings: result.findings.map((f) => ({ ...f, vertices: f.vertices.map((v) => induced.globalOf[v]!) })) };
}
