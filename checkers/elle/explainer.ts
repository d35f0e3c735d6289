/**
 * The contract between an inference (list-append, rw-register) and the cycle explanation: given
 * an edge the inference added, say why it holds. Analysis and explanation stay apart (Elle's
 * split), so the analysis keeps no per-edge evidence and only reported edges are explained.
 */
import type { GraphBuilder } from './graph/builder.js';

export interface PairExplainer {
  /**
   * Why transaction `b` depends on transaction `a` by the data relation `rel` (WW, WR or RW),
   * as a clause naming them `A` and `B`; undefined when the inference has no such edge.
   */
  explain(a: number, b: number, rel: number, A: string, B: string): string | undefined;
}

/** What an inference gives the checker. */
export interface DataAnalysis {
  /** Add transaction t's incoming ww, wr and rw edges (called for t = 0, 1, ...). */
  edgesInto(t: number, b: GraphBuilder): void;
  explainer: PairExplainer;
  /** Figures for the result's stats (keys, appends, reads, ...). */
  stats: Record<string, number>;
}
