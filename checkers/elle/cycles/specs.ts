/**
 * The cycle anomalies the search looks for, as data (Elle's cycle-anomaly-specs): which
 * relations a cycle may use, how many anti-dependency (rw) edges it has and how they may sit,
 * and which relations it must contain at least once.
 *
 * Adya's G0 is a cycle of write dependencies; G1c adds read dependencies; G-single has exactly
 * one anti-dependency; G-nonadjacent two or more, never two in a row; G2-item any two or more.
 * Each has a `-process` and a `-realtime` variant that may (and must) use session or real-time
 * order as well. The list is in the order the search tries them: most severe first, data
 * before process before real time (Elle's severity order).
 */
import { PROCESS, REALTIME, RW, WR, WW } from '../graph/rels.js';

/** How a cycle's rw edges may appear. */
export type RwMode = 'none' | 'single' | 'nonadjacent' | 'multiple';

export interface CycleSpec {
  /** The anomaly name (Elle's). */
  readonly type: string;
  /** Relations the cycle's edges may be taken as. */
  readonly rels: number;
  readonly rwMode: RwMode;
  /** Relation masks that must each be taken by at least one edge. */
  readonly required: readonly number[];
}

const BASE: readonly CycleSpec[] = [
  { type: 'G0', rels: WW, rwMode: 'none', required: [] },
  { type: 'G1c', rels: WW | WR, rwMode: 'none', required: [WR] },
  { type: 'G-single-item', rels: WW | WR | RW, rwMode: 'single', required: [] },
  { type: 'G-nonadjacent-item', rels: WW | WR | RW, rwMode: 'nonadjacent', required: [] },
  { type: 'G2-item', rels: WW | WR | RW, rwMode: 'multiple', required: [] },
];

function variant(spec: CycleSpec, rel: number, suffix: string): CycleSpec {
  return { type: `${spec.type}-${suffix}`, rels: spec.rels | rel, rwMode: spec.rwMode, required: [...spec.required, rel] };
}

/** Every cycle spec, in search order. */
export const CYCLE_SPECS: readonly CycleSpec[] = [
  ...BASE,
  ...BASE.map((s) => variant(s, PROCESS, 'process')),
  ...BASE.map((s) => variant(s, REALTIME, 'realtime')),
];

/** Every cycle anomaly name. */
export const CYCLE_TYPES: ReadonlySet<string> = new Set(CYCLE_SPECS.map((s) => s.type));

/** The fewest edges a cycle of this spec can have. */
export function minCycleLength(spec: CycleSpec): number {
  return spec.rwMode === 'nonadjacent' ? 4 : 2;
}

/**
 * Name a cycle by the relation each of its edges was taken as (Elle's cycle explainer): the
 * count and adjacency of rw edges give the data anomaly, and any real-time (else process) edge
 * adds that suffix. Undefined for a cycle of order edges alone, which a history cannot have:
 * process and real-time edges all point forward in time.
 */
export function classifyCycle(labels: readonly number[]): string | undefined {
  let rw = 0;
  let wr = 0;
  let ww = 0;
  let process = 0;
  let realtime = 0;
  let adjacentRw = false;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (l === RW) {
      rw++;
      if (labels[(i + 1) % labels.length] === RW) adjacentRw = true;
    } else if (l === WR) wr++;
    else if (l === WW) ww++;
    else if (l === PROCESS) process++;
    else if (l === REALTIME) realtime++;
  }
  let base: string;
  if (rw === 1) base = 'G-single-item';
  else if (rw > 1) base = adjacentRw ? 'G2-item' : 'G-nonadjacent-item';
  else if (wr > 0) base = 'G1c';
  else if (ww > 0) base = 'G0';
  else return undefined;
  return realtime > 0 ? `${base}-realtime` : process > 0 ? `${base}-process` : base;
}
