/**
 * Breadth-first search for the shortest cycle of one spec through one start vertex, inside one
 * strongly connected sub-graph.
 *
 * The search walks (vertex, state) pairs, where the state is what the spec needs to know about
 * the path so far: how many rw edges it took (0, 1, 2+), whether the last and the first edge
 * were rw (for "never two rw in a row", around the cycle too), and which required relations it
 * has met. A spec needs at most 5 bits of state, so "visited" is one 32-bit mask per vertex.
 * An edge carrying several relations may be taken as any of the spec's, data relations first
 * (as Elle's explainers prefer them). The first closing edge that leaves an accepting state
 * gives the shortest closed walk; a walk that repeats a vertex is split into simple cycles and
 * one of the spec's type is kept, as Elle trims its loops.
 */
import { int32 } from '../arena.js';
import type { Graph } from '../graph/csr.js';
import { RW } from '../graph/rels.js';
import { IntVec } from '../int-vec.js';
import { classifyCycle, type CycleSpec } from './specs.js';

/** A cycle: vertices v0..vk-1 with edges vi → vi+1 and vk-1 → v0; `labels[i]` is edge i's relation. */
export interface FoundCycle {
  vertices: number[];
  labels: number[];
}

/** What a search from one start ended with: a cycle, none (exhaustively), or out of budget. */
export type SearchEnd = FoundCycle | null | 'budget';

/** Steps between looks at the clock. */
const CLOCK_EVERY = 4096;

/** Scratch arrays shared by every search over one graph. */
export class BfsScratch {
  readonly visited: Uint32Array;
  readonly touched = new IntVec();
  readonly qV = new IntVec();
  readonly qS = new IntVec();
  readonly qP = new IntVec();
  readonly qL = new IntVec();
  readonly qD = new IntVec();
  readonly seen: Int32Array;
  seenStamp = 0;

  constructor(n: number) {
    this.visited = new Uint32Array(n);
    this.seen = int32(n);
  }
}

/** The spec's state machine, with its bit layout. */
class Machine {
  private readonly countBits: number;
  private readonly lastBit: number;
  private readonly firstBit: number;
  private readonly reqShift: number;
  private readonly reqAll: number;

  constructor(private readonly spec: CycleSpec) {
    this.countBits = spec.rwMode === 'none' ? 0 : 2;
    const adjacency = spec.rwMode === 'nonadjacent';
    this.lastBit = adjacency ? 1 << this.countBits : 0;
    this.firstBit = adjacency ? 1 << (this.countBits + 1) : 0;
    this.reqShift = this.countBits + (adjacency ? 2 : 0);
    this.reqAll = ((1 << spec.required.length) - 1) << this.reqShift;
  }

  /** The state after taking relation `bit` from `state`, or -1 when the spec forbids it. */
  step(state: number, bit: number, first: boolean): number {
    let s = state;
    const rw = bit === RW;
    if (rw) {
      const count = s & 3;
      const mode = this.spec.rwMode;
      if (mode === 'none' || (mode === 'single' && count >= 1) || (s & this.lastBit) !== 0) return -1;
      if (count < 2) s++;
    }
    if (this.lastBit !== 0) {
      s = rw ? s | this.lastBit : s & ~this.lastBit;
      if (first && rw) s |= this.firstBit;
    }
    const req = this.spec.required;
    for (let j = 0; j < req.length; j++) if ((bit & req[j]!) !== 0) s |= 1 << (this.reqShift + j);
    return s;
  }

  /** Whether a cycle ending in `state`, closed by relation `bit`, is of the spec. */
  accepts(state: number, bit: number): boolean {
    if ((state & this.reqAll) !== this.reqAll) return false;
    const count = state & 3;
    switch (this.spec.rwMode) {
      case 'none':
        return true;
      case 'single':
        return count === 1;
      case 'multiple':
        return count >= 2;
      case 'nonadjacent':
        return count >= 2 && !(bit === RW && (state & this.firstBit) !== 0);
    }
  }
}

export class CycleBfs {
  steps = 0;
  private readonly machine: Machine;

  constructor(
    private readonly g: Graph,
    private readonly spec: CycleSpec,
    private readonly scratch: BfsScratch,
  ) {
    this.machine = new Machine(spec);
  }

  /**
   * The shortest cycle of the spec's type through `s` among vertices with `comp[v] === cid`,
   * of at most `maxLen` edges. Stops with 'budget' once `this.steps` passes `stepLimit` or the
   * clock passes `deadline`.
   */
  search(s: number, comp: Int32Array, cid: number, maxLen: number, stepLimit: number, deadline: number): SearchEnd {
    const { offsets, targets, rels } = this.g;
    const { visited, touched, qV, qS, qP, qL, qD } = this.scratch;
    const allowed = this.spec.rels;
    for (let i = 0; i < touched.length; i++) visited[touched.data[i]!] = 0;
    touched.length = 0;
    qV.length = qS.length = qP.length = qL.length = qD.length = 0;
    const push = (v: number, st: number, parent: number, label: number, depth: number): void => {
      qV.push(v);
      qS.push(st);
      qP.push(parent);
      qL.push(label);
      qD.push(depth);
    };
    push(s, 0, -1, 0, 0);
    for (let head = 0; head < qV.length; head++) {
      const v = qV.data[head]!;
      const st = qS.data[head]!;
      const depth = qD.data[head]!;
      if (depth + 1 > maxLen) continue;
      for (let e = offsets[v]!; e < offsets[v + 1]!; e++) {
        if (++this.steps > stepLimit || (this.steps % CLOCK_EVERY === 0 && performance.now() > deadline)) return 'budget';
        const w = targets[e]!;
        const usable = rels[e]! & allowed;
        if (usable === 0 || (w !== s && comp[w] !== cid)) continue;
        for (let bit = 1; bit <= usable; bit <<= 1) {
          if ((usable & bit) === 0) continue;
          const next = this.machine.step(st, bit, head === 0);
          if (next < 0) continue;
          if (w === s) {
            if (!this.machine.accepts(next, bit)) continue;
            const found = this.simpleOfType(this.walk(head, bit));
            if (found) return found;
            continue;
          }
          if (depth + 2 > maxLen) continue;
          const mask = 1 << next;
          if ((visited[w]! & mask) !== 0) continue;
          if (visited[w] === 0) touched.push(w);
          visited[w]! |= mask;
          push(w, next, head, bit, depth + 1);
        }
      }
    }
    return null;
  }

  /** The closed walk from the root to queue entry `end`, closed by relation `closing`. */
  private walk(end: number, closing: number): FoundCycle {
    const { qV, qP, qL } = this.scratch;
    const vertices: number[] = [];
    const labels: number[] = [closing];
    for (let i = end; i >= 0; i = qP.data[i]!) {
      vertices.push(qV.data[i]!);
      if (qP.data[i]! >= 0) labels.push(qL.data[i]!);
    }
    vertices.reverse();
    labels.reverse();
    return { vertices, labels };
  }

  /** A simple cycle of the spec's type within the closed walk `c`, if there is one. */
  private simpleOfType(c: FoundCycle): FoundCycle | undefined {
    const sc = this.scratch;
    const stamp = ++sc.seenStamp;
    const at = new Map<number, number>();
    for (let i = 0; i < c.vertices.length; i++) {
      const v = c.vertices[i]!;
      if (sc.seen[v] === stamp) {
        // A repeat: split into the inner loop and the rest, and look in each.
        const j = at.get(v)!;
        const inner = { vertices: c.vertices.slice(j, i), labels: c.labels.slice(j, i) };
        const outer = { vertices: [...c.vertices.slice(0, j), ...c.vertices.slice(i)], labels: [...c.labels.slice(0, j), ...c.labels.slice(i)] };
        return this.simpleOfType(inner) ?? this.simpleOfType(outer);
      }
      sc.seen[v] = stamp;
      at.set(v, i);
    }
    return classifyCycle(c.labels) === this.spec.type ? c : undefined;
  }
}
