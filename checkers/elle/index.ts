/**
 * The `elle` checkers: transactional isolation by dependency cycles, after Jepsen's Elle
 * (Kingsbury and Alvaro, "Elle: Inferring Isolation Anomalies from Experimental Observations").
 *
 * A check runs in phases, each linear in the history except the cycle search, which is
 * budgeted: pair the transactions (history.ts); infer ww, wr and rw dependencies and the
 * anomalies that need no cycle (list-append/ or rw-register/); add process and real-time
 * order when the chosen models need them (order-edges.ts); build a compact graph
 * (graph/csr.ts); find strongly connected components and the shortest cycle of each anomaly
 * type in each (cycles/); judge against the consistency models (consistency/) and explain
 * (explain-cycle.ts, result.ts).
 */
import type { CheckOptions, CheckResult, Checker } from '../../src/api/checker.js';
import type { Op } from '../../src/api/op.js';
import type { TxnKind } from '../../src/api/txn.js';
import { release, reserve } from './arena.js';
import { CaseLog } from './cases.js';
import { canonicalModel, checkAnomalyNames, implyingAnomalies, prohibitedBy } from './consistency/models.js';
import { CYCLE_EXISTS, reverseCycle, searchCycles } from './cycles/search.js';
import { CYCLE_SPECS, CYCLE_TYPES } from './cycles/specs.js';
import type { DataAnalysis } from './explainer.js';
import { GraphBuilder } from './graph/builder.js';
import { DATA, PROCESS, REALTIME } from './graph/rels.js';
import { collectTxns, INFO, OK, TxnFormatError, type TxnHistory } from './history.js';
import { analyzeListAppend } from './list-append/index.js';
import { OrderEdges } from './order-edges.js';
import { CASE_TYPES, elleResult } from './result.js';
import { analyzeRwRegister, type RwRegisterOptions } from './rw-register/index.js';

export { MODELS, ANOMALIES } from './consistency/models.js';

/** Options of the `elle` checkers. */
export interface ElleOptions extends RwRegisterOptions {
  /**
   * Consistency models the history must satisfy; any anomaly they rule out fails the check.
   * Default `['strict-serializable']`, as Elle's. Names: serializable, snapshot-isolation,
   * repeatable-read, read-committed, strong-session-serializable, ... (see `MODELS`), or
   * Adya's PL-1 ... PL-SS.
   */
  consistencyModels?: readonly string[];
  /** Anomalies that fail the check besides (e.g. `['G1c']`), with every anomaly implying them. */
  anomalies?: readonly string[];
  /** The history's kind; default: told from its micro-operations. */
  kind?: TxnKind;
  /** Search steps per strongly connected component before it is cut short (default 2 000 000). */
  cycleSearchSteps?: number;
  /** Milliseconds of search per strongly connected component before it is cut short (default 5000). */
  cycleSearchTimeoutMs?: number;
}

const DEFAULT_STEPS = 2_000_000;
const DEFAULT_SCC_MS = 5000;

/** An Elle checker for list-append or rw-register histories (told apart from the data). */
export function elle(opts: ElleOptions = {}, name = 'elle'): Checker {
  const models = (opts.consistencyModels ?? ['strict-serializable']).map(canonicalModel);
  const extra = opts.anomalies ?? [];
  checkAnomalyNames(extra);
  const prohibited = new Set([...prohibitedBy(models), ...implyingAnomalies(extra)]);
  return { name, check: (history, checkOpts) => checkTxns(history, opts, models, prohibited, checkOpts) };
}

/** Elle's list-append checker: transactions of `append` and `r` micro-operations. */
export function listAppend(opts: Omit<ElleOptions, 'kind' | keyof RwRegisterOptions> = {}): Checker {
  return elle({ ...opts, kind: 'list-append' }, 'list-append');
}

/** Elle's rw-register checker: transactions of `w` and `r` micro-operations. */
export function rwRegister(opts: Omit<ElleOptions, 'kind'> = {}): Checker {
  return elle({ ...opts, kind: 'rw-register' }, 'rw-register');
}

function wants(prohibited: ReadonlySet<string>, suffix: string): boolean {
  return [...prohibited].some((a) => CYCLE_TYPES.has(a) && a.endsWith(suffix));
}

async function checkTxns(history: readonly Op[], opts: ElleOptions, models: readonly string[], prohibited: ReadonlySet<string>, checkOpts: CheckOptions): Promise<CheckResult> {
  const t0 = performance.now();
  let h: TxnHistory;
  const cases = new CaseLog();
  let analysis: DataAnalysis;
  try {
    h = collectTxns(history, opts.kind ? { kind: opts.kind } : {});
    reserve(arenaBytes(h));
    analysis = h.kind === 'list-append' ? analyzeListAppend(h, cases) : analyzeRwRegister(h, cases, opts);
  } catch (err) {
    release();
    if (!(err instanceof TxnFormatError)) throw err;
    return { valid: 'unknown', summary: `Cannot check this history as transactions: ${err.message}.` };
  }
  try {
    return await judge(h, analysis, cases, opts, models, prohibited, checkOpts, t0);
  } finally {
    release();
  }
}

/**
 * Bytes the check's typed arrays take, at most about: per micro-operation (tables, read
 * states, elements and their hash table, version orders, readers), per history event
 * (real-time cursor), per transaction (graph, components, search scratch). Pages never
 * written are never mapped, so a generous bound costs nothing.
 */
function arenaBytes(h: TxnHistory): number {
  return 84 * h.mopCount + 4 * h.history.length + 100 * h.n + 5 * edgeCapacity(h);
}

/** Room for the graph's edges, about: a few data edges per micro-operation, one process and a few real-time ones per transaction. */
function edgeCapacity(h: TxnHistory): number {
  return 2 * h.mopCount + 6 * h.n;
}

async function judge(
  h: TxnHistory,
  analysis: DataAnalysis,
  cases: CaseLog,
  opts: ElleOptions,
  models: readonly string[],
  prohibited: ReadonlySet<string>,
  checkOpts: CheckOptions,
  t0: number,
): Promise<CheckResult> {
  const sessions = wants(prohibited, '-process');
  const realtime = wants(prohibited, '-realtime');
  const inferMs = performance.now() - t0;
  // The graph of incoming edges, built in one pass over the transactions (graph/builder.ts).
  const order = new OrderEdges(h, sessions, realtime);
  const b = new GraphBuilder(h.n, edgeCapacity(h));
  for (let t = 0; t < h.n; t++) {
    b.startRow(t);
    analysis.edgesInto(t, b);
    order.into(t, b);
  }
  const g = b.finish();
  const rels = DATA | (sessions ? PROCESS : 0) | (realtime ? REALTIME : 0);
  const graphMs = performance.now() - t0 - inferMs;
  if (checkOpts.signal?.aborted) return { valid: 'unknown', summary: 'The check was aborted before its cycle search.' };
  const specs = CYCLE_SPECS.filter((s) => (s.rels & ~rels) === 0);
  const reversed = await searchCycles(g, {
    specs,
    rels,
    stepsPerScc: opts.cycleSearchSteps ?? DEFAULT_STEPS,
    msPerScc: opts.cycleSearchTimeoutMs ?? DEFAULT_SCC_MS,
    deadline: checkOpts.timeoutMs !== undefined ? t0 + checkOpts.timeoutMs : Number.POSITIVE_INFINITY,
    ...(checkOpts.signal && { signal: checkOpts.signal }),
  });
  // The graph holds incoming edges: turn its cycles around.
  const search = { ...reversed, findings: reversed.findings.map(reverseCycle) };
  // Types a complete search of this kind of history could find; and those this one could not.
  const detectable = new Set([...CYCLE_TYPES, ...CASE_TYPES[h.kind], ...CYCLE_EXISTS.map((c) => c.type)]);
  const unsearched = new Set(search.unsearched);
  for (const s of CYCLE_SPECS) if ((s.rels & ~rels) !== 0) unsearched.add(s.type);
  for (const c of CYCLE_EXISTS) if ((c.rels & ~rels) !== 0) unsearched.add(c.type);
  let ok = 0;
  let info = 0;
  for (let t = 0; t < h.n; t++) {
    if (h.status[t] === OK) ok++;
    else if (h.status[t] === INFO) info++;
  }
  const ms = (x: number): number => Math.round(x * 10) / 10;
  return elleResult({
    h,
    models,
    prohibited,
    cases,
    search,
    explainer: analysis.explainer,
    unsearched,
    detectable,
    // As Elle: no dependency at all (an empty history included) means nothing was checked.
    emptyGraph: g.targets.length === 0,
    stats: {
      txns: h.n + h.failedMops.length,
      ok,
      info,
      failed: h.failedMops.length,
      ...analysis.stats,
      edges: g.targets.length,
      ignoredOps: h.ignored,
      orphanCompletions: h.orphans,
      inferMs: ms(inferMs),
      graphMs: ms(graphMs),
      ms: ms(performance.now() - t0),
    },
    ...(h.kind === 'rw-register' && { caveat: '(as far as the inferred version orders go)' }),
  });
}
