/**
 * Anomalies found without cycles (aborted reads, internal inconsistencies, ...), collected
 * while the indices are built: every instance is counted, a few of each kind are kept with
 * their explanation.
 *
 * Why counted but capped: a broken database can produce one aborted read per transaction; a
 * report needs the count and a handful of examples, not a million paragraphs, and building the
 * words only for the kept ones keeps the scan fast.
 */
import type { Anomaly } from '../../src/api/checker.js';
import { failedOps, txnOps, type TxnHistory } from './history.js';

/** One non-cycle anomaly, ready to report. */
export interface Case {
  kind: string;
  key?: unknown;
  /** Vertex transactions involved (reported with their operations). */
  txns: readonly number[];
  /** Failed transactions involved. */
  failed?: readonly number[];
  summary: string;
  explanation: string;
}

/** Examples kept per kind. */
export const KEEP_PER_KIND = 8;

export class CaseLog {
  readonly counts = new Map<string, number>();
  readonly kept: Case[] = [];

  /** Count one instance of `kind`; `make` builds its words only when it is among the kept. */
  add(kind: string, make: () => Omit<Case, 'kind'>): void {
    const n = this.counts.get(kind) ?? 0;
    this.counts.set(kind, n + 1);
    if (n < KEEP_PER_KIND) this.kept.push({ kind, ...make() });
  }
}

/** A case as a report's anomaly. */
export function caseAnomaly(h: TxnHistory, c: Case): Anomaly {
  const ops = [...c.txns.flatMap((t) => txnOps(h, t)), ...(c.failed ?? []).flatMap((f) => failedOps(h, f))].sort((a, b) => a.index - b.index);
  const anomaly: Anomaly = { kind: c.kind, summary: c.summary, ops, explanation: `${c.kind}: ${c.explanation}` };
  if (c.key !== undefined) anomaly.key = String(c.key);
  return anomaly;
}
