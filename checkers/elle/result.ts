/**
 * The verdict of an `elle` check (Elle's result map, as a CheckResult): which anomalies count
 * against the chosen models, the weakest models the history rules out and the strongest it is
 * still consistent with, a few explained examples of each anomaly, and the figures.
 */
import type { Anomaly, CheckResult, Validity } from '../../src/api/checker.js';
import type { TxnKind } from '../../src/api/txn.js';
import { caseAnomaly, KEEP_PER_KIND, type CaseLog } from './cases.js';
import { UNKNOWN_ANOMALIES } from './consistency/lattice.js';
import { impossibleModels, MODELS, prohibitedBy, strongest, weakest } from './consistency/models.js';
import { CYCLE_TYPES } from './cycles/specs.js';
import type { CycleSearchResult } from './cycles/search.js';
import { cycleAnomaly } from './explain-cycle.js';
import type { PairExplainer } from './explainer.js';
import type { TxnHistory } from './history.js';
import { plural } from './render.js';

/** Anomalies each kind of history can show without a cycle. */
export const CASE_TYPES: Readonly<Record<TxnKind, readonly string[]>> = {
  'list-append': ['G1a', 'G1b', 'internal', 'future-read', 'dirty-update', 'duplicate-elements', 'incompatible-order', 'garbage-read', 'lost-update', 'lost-append'],
  'rw-register': ['G1a', 'G1b', 'internal', 'garbage-read', 'lost-update', 'cyclic-versions'],
};

/** Report order: the plainest evidence first, then cycles by severity, fallbacks last. */
const ORDER = [
  'G0', 'G1a', 'G1b', 'G1c', 'internal', 'future-read', 'dirty-update', 'duplicate-elements', 'incompatible-order', 'garbage-read', 'cyclic-versions',
  'G-single-item', 'G-nonadjacent-item', 'G2-item', 'lost-update',
  'G0-process', 'G1c-process', 'G-single-item-process', 'G-nonadjacent-item-process', 'G2-item-process',
  'G0-realtime', 'G1c-realtime', 'G-single-item-realtime', 'G-nonadjacent-item-realtime', 'G2-item-realtime', 'lost-append',
];

function rank(type: string): number {
  const i = ORDER.indexOf(type);
  return i >= 0 ? i : ORDER.length + (UNKNOWN_ANOMALIES.has(type) ? 1 : 0);
}

export interface Verdict {
  h: TxnHistory;
  models: readonly string[];
  /** Anomalies that fail the check. */
  prohibited: ReadonlySet<string>;
  cases: CaseLog;
  search: CycleSearchResult;
  explainer: PairExplainer;
  /** Anomaly types this check could not have found (relations not inferred, searches cut short). */
  unsearched: ReadonlySet<string>;
  /** The types a complete search could find for this history's kind. */
  detectable: ReadonlySet<string>;
  emptyGraph: boolean;
  stats: Record<string, number>;
  /** Why the inference is partial, for the summary (rw-register). */
  caveat?: string;
}

export function elleResult(v: Verdict): CheckResult {
  const { h, search } = v;
  const counts = new Map<string, number>(v.cases.counts);
  const bump = (type: string): void => void counts.set(type, (counts.get(type) ?? 0) + 1);
  for (const f of search.findings) bump(f.type);
  if (search.timeouts.length > 0) counts.set('cycle-search-timeout', search.timeouts.length);
  if (v.emptyGraph) counts.set('empty-transaction-graph', 1);
  // "A cycle exists" is a fallback: drop it where a named anomaly already rules its model out.
  const named = impossibleModels([...counts.keys()]);
  const exists = search.cycleExists.filter((c) => !named.has(c.model));
  for (const c of exists) bump(c.type);

  const types = [...counts.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const bad = types.filter((t) => v.prohibited.has(t));
  const unknown = types.filter((t) => UNKNOWN_ANOMALIES.has(t));
  const valid: Validity = bad.length > 0 ? false : unknown.length > 0 ? 'unknown' : true;

  const impossible = impossibleModels(types);
  const searched = new Set([...v.detectable].filter((a) => !v.unsearched.has(a)));
  const decided = new Set(MODELS.filter((m) => !impossible.has(m) && [...prohibitedBy([m])].every((a) => !v.detectable.has(a) || searched.has(a))));
  const not = weakest(impossible);
  const consistentWith = strongest(decided);

  const anomalies: Anomaly[] = [];
  for (const type of [...bad, ...unknown]) for (const anomaly of examples(v, type, exists)) anomalies.push(anomaly);
  const alsoFound = Object.fromEntries(types.filter((t) => !v.prohibited.has(t) && !UNKNOWN_ANOMALIES.has(t)).map((t) => [t, counts.get(t)!]));
  const result: CheckResult = {
    valid,
    summary: summarize(v, valid, bad, unknown, counts, not, consistentWith),
    stats: { ...v.stats, sccs: search.sccSizes.length, largestScc: search.sccSizes.reduce((max, n) => Math.max(max, n), 0), searchSteps: search.steps },
    details: {
      kind: h.kind,
      consistencyModels: v.models,
      anomalyTypes: bad,
      anomalyCounts: Object.fromEntries(types.map((t) => [t, counts.get(t)!])),
      alsoFound,
      not,
      alsoNot: [...impossible].filter((m) => !not.includes(m)).sort(),
      consistentWith,
    },
  };
  if (anomalies.length > 0) result.anomalies = anomalies;
  return result;
}

/** A few explained examples of one anomaly type. */
function examples(v: Verdict, type: string, exists: CycleSearchResult['cycleExists']): Anomaly[] {
  const { h, search } = v;
  if (CYCLE_TYPES.has(type)) return search.findings.filter((f) => f.type === type).slice(0, KEEP_PER_KIND).map((f) => cycleAnomaly(h, f, v.explainer));
  if (type === 'cycle-search-timeout') {
    return search.timeouts.slice(0, KEEP_PER_KIND).map((t) => ({
      kind: type,
      summary: `the cycle search of a component of ${plural(t.sccSize, 'transaction')} ran out of budget looking for ${t.searching.join(', ')}`,
      ops: [],
      explanation:
        `A strongly connected component of ${plural(t.sccSize, 'transaction')} holds at least one cycle. Its search for ${t.searching.join(', ')} ran out of budget ` +
        `(steps or milliseconds per component, or the checker's deadline)${t.doesNotContain.length > 0 ? `; it holds no ${t.doesNotContain.join(', ')}` : ''}. ` +
        `Raise cycleSearchSteps / cycleSearchTimeoutMs (or --checker-timeout) to search further.`,
    }));
  }
  if (type === 'empty-transaction-graph') {
    const explanation =
      h.n === 0
        ? 'The history holds no transaction that committed or may have committed, so nothing could be checked.'
        : 'No transaction read, overwrote or followed another, so nothing could be checked: the workload may be touching too many keys, or reads may not be recorded.';
    return [{ kind: type, summary: 'no dependency between any two transactions could be inferred', ops: [], explanation }];
  }
  if (type.endsWith('-cycle-exists')) {
    return exists
      .filter((c) => c.type === type)
      .slice(0, KEEP_PER_KIND)
      .map((c) => ({
        kind: type,
        summary: `a component of ${plural(c.sccSize, 'transaction')} holds a cycle that rules out ${c.model}`,
        ops: [],
        explanation: `The dependencies among ${plural(c.sccSize, 'transaction')} form a cycle using only the relations ${c.model} orders, so no order of them satisfies ${c.model}; the search did not isolate a named cycle within its budget.`,
      }));
  }
  return v.cases.kept.filter((c) => c.kind === type).map((c) => caseAnomaly(h, c));
}

function summarize(v: Verdict, valid: Validity, bad: string[], unknown: string[], counts: Map<string, number>, not: string[], consistentWith: string[]): string {
  const { h, stats } = v;
  const what = `Checked ${plural(stats['txns'] ?? h.n, 'transaction')} (${h.kind}, ${plural(stats['keys'] ?? 0, 'key')}) against ${v.models.join(', ')}`;
  const consistent = consistentWith.length > 0 ? `consistent with ${consistentWith.join(', ')}${v.caveat ? ` ${v.caveat}` : ''}` : 'consistent with none of the models checked';
  const listed = (ts: string[]): string => ts.map((t) => `${t} (${counts.get(t)})`).join(', ');
  if (valid === true) return `${what}: no anomalies; ${consistent}.`;
  if (valid === false) return `${what}: found ${listed(bad)}. Not ${not.join(' or ')}; ${consistent}.`;
  return `${what}: unknown: ${listed(unknown)}; ${consistent}.`;
}
