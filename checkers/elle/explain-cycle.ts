/**
 * A cycle as evidence a person can check, in Elle's shape: "Let T1 = ..., T2 = ... Then:
 * T1 < T2, because ...; ...; However, Tk < T1, because ...: a contradiction!", and as edges
 * `{from, to, relation, why}` a report can draw.
 */
import type { Anomaly, AnomalyEdge } from '../../src/api/checker.js';
import type { Finding } from './cycles/search.js';
import type { PairExplainer } from './explainer.js';
import { PROCESS, REALTIME, relName } from './graph/rels.js';
import { describeTxn, txnIndex, txnOps, type TxnHistory } from './history.js';
import { showTxn } from './render.js';

/** What each cycle anomaly is, in a few words. */
const GLOSS: Readonly<Record<string, string>> = {
  G0: 'a cycle of write dependencies (dirty write)',
  G1c: 'a cycle of write and read dependencies (circular information flow)',
  'G-single-item': 'a cycle with exactly one anti-dependency (read skew)',
  'G-nonadjacent-item': 'a cycle with several anti-dependencies, never two in a row',
  'G2-item': 'a cycle with two or more anti-dependencies (write skew)',
};

/** Steps explained in full; longer cycles show their head and tail. */
const EXPLAIN_MAX = 60;
/** Edges listed in `cycle`; longer cycles keep their head and tail. */
const EDGES_MAX = 1000;

export function glossOf(type: string): string {
  const base = type.replace(/-(process|realtime)$/, '');
  const variant = type.endsWith('-realtime') ? ', against real-time order' : type.endsWith('-process') ? ', against process order' : '';
  return `${GLOSS[base] ?? type}${variant}`;
}

/** Why b follows a by an order relation, or by the inference's data relation. */
function edgeClause(h: TxnHistory, explainer: PairExplainer, a: number, b: number, rel: number, A: string, B: string): string {
  if (rel === PROCESS) return `process ${h.process[a]!} ran ${A} and then ${B}`;
  if (rel === REALTIME) {
    const done = h.history[h.completePos[a]!]!;
    const begun = h.history[h.invokePos[b]!]!;
    const dt = begun.time - done.time;
    const later = dt <= 0 ? '' : dt >= 1e9 ? `, ${(dt / 1e9).toFixed(3)} s later` : `, ${(dt / 1e6).toFixed(3)} ms later`;
    return `${A} completed (op #${done.index}) before ${B} was invoked (op #${begun.index}${later})`;
  }
  return explainer.explain(a, b, rel, A, B) ?? `${B} has an inferred ${relName(rel)} dependency on ${A}`;
}

export function cycleAnomaly(h: TxnHistory, f: Finding, explainer: PairExplainer): Anomaly {
  const k = f.vertices.length;
  const name = (i: number): string => `T${(i % k) + 1}`;
  const edges: AnomalyEdge[] = f.vertices.map((a, i) => {
    const b = f.vertices[(i + 1) % k]!;
    const rel = f.labels[i]!;
    const clause = edgeClause(h, explainer, a, b, rel, name(i), name(i + 1));
    return { from: txnIndex(h, a), to: txnIndex(h, b), relation: relName(rel), why: `${clause}, so ${name(i)} < ${name(i + 1)}` };
  });
  const lines = [`${f.type}: ${glossOf(f.type)}${f.fallback ? ' (found by the fallback search after the typed search ran out of budget)' : ''}.`, 'Let:'];
  for (const [i, skipped] of elide(k, EXPLAIN_MAX)) {
    lines.push(i < 0 ? `  … ${skipped} more transactions …` : `  ${name(i)} = ${describeTxn(h, f.vertices[i]!)}: ${showTxn(h.mops[f.vertices[i]!]!)}`);
  }
  lines.push('Then:');
  for (const [i, skipped] of elide(k, EXPLAIN_MAX)) {
    if (i < 0) {
      lines.push(`  - … ${skipped} more steps …`);
      continue;
    }
    const e = edges[i]!;
    const because = e.why.slice(0, e.why.lastIndexOf(', so '));
    lines.push(i === k - 1 ? `  - However, ${name(i)} < ${name(i + 1)}, because ${because}: a contradiction!` : `  - ${name(i)} < ${name(i + 1)}, because ${because}.`);
  }
  const kept = k <= EDGES_MAX ? edges : [...edges.slice(0, EDGES_MAX / 2), ...edges.slice(k - EDGES_MAX / 2)];
  const ops = f.vertices.slice(0, EDGES_MAX).flatMap((t) => txnOps(h, t)).sort((x, y) => x.index - y.index);
  const list = f.vertices.slice(0, 6).map((t) => `#${txnIndex(h, t)}`).join(', ') + (k > 6 ? ', …' : '');
  const partial = k > EDGES_MAX ? `; ${EDGES_MAX} of its ${k} edges listed` : '';
  return {
    kind: f.type,
    summary: `${f.type}: ${glossOf(f.type)}, among ${k} transactions (ops ${list})${partial}`,
    ops,
    explanation: lines.join('\n'),
    cycle: kept,
  };
}

/** Indices 0..n-1, or the first and last `max / 2` with one `[-1, skipped]` between. */
function elide(n: number, max: number): [number, number][] {
  if (n <= max) return [...Array(n).keys()].map((i) => [i, 0]);
  const half = max / 2;
  return [...[...Array(half).keys()].map((i): [number, number] => [i, 0]), [-1, n - max], ...[...Array(half).keys()].map((i): [number, number] => [n - half + i, 0])];
}
