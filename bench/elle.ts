/**
 * The `elle` suite: the transactional checker on generated histories of 10k, 100k and (with
 * `--full`) 1M transactions: list-append and rw-register histories from a serial execution
 * (bench/txn-sim.ts), the same with anomalies injected every 1 000 transactions
 * (bench/txn-anomalies.ts), and a ring that is one enormous strongly connected component
 * (bench/txn-ring.ts). Each case runs in its own child, so its peak memory is its own; the
 * figures are transactions checked per second and peak memory. A case is `ok` when the verdict
 * is the expected one and every injected anomaly is named. Besides wall time, each case reports
 * the check's CPU time (all of the child's threads, garbage collection included).
 */
import type { TxnKind } from '../src/api/txn.js';
import { elle } from '../checkers/elle/index.js';
import { runCaseInChild } from './child.js';
import type { FigureValue, Reporter } from './format.js';
import { round } from './format.js';
import { expectedAnomaly, inject, injectable, type Injection } from './txn-anomalies.js';
import { ringHistory } from './txn-ring.js';
import { simulateTxnHistory } from './txn-sim.js';

export interface ElleInput {
  history: TxnKind | 'ring';
  txns: number;
  processes: number;
  /** Inject one anomaly every this many transactions (0: none). */
  injectEvery: number;
  seed: number;
  timeoutMs: number;
}

export function elleInputs(mode: 'quick' | 'default' | 'full', timeoutMs: number): ElleInput[] {
  const sizes = mode === 'quick' ? [10_000] : mode === 'default' ? [10_000, 100_000] : [10_000, 100_000, 1_000_000];
  const base = { processes: 10, seed: 1, timeoutMs };
  const out: ElleInput[] = [];
  for (const txns of sizes) {
    out.push({ ...base, history: 'list-append', txns, injectEvery: 0 });
    out.push({ ...base, history: 'list-append', txns, injectEvery: 1000 });
    if (mode !== 'quick') out.push({ ...base, history: 'rw-register', txns, injectEvery: 0 });
  }
  out.push({ ...base, history: 'ring', txns: sizes[sizes.length - 1]!, injectEvery: 0 });
  return out;
}

export function elleName(input: ElleInput): string {
  const size = input.txns >= 1e6 ? `${input.txns / 1e6}M` : `${input.txns / 1e3}k`;
  const what = input.history === 'ring' ? 'one enormous SCC (ring)' : `${input.history}${input.injectEvery > 0 ? `, an anomaly per ${input.injectEvery}` : ''}`;
  return `${size} txns, ${what}`;
}

/** Generate the case's history and check it (in the child); `ms` is the check alone. */
export async function elleCase(input: ElleInput): Promise<Record<string, FigureValue>> {
  const g0 = performance.now();
  let history;
  const expected: string[] = [];
  if (input.history === 'ring') {
    history = ringHistory(input.txns, input.processes);
  } else {
    const kind = input.history;
    history = simulateTxnHistory({ txns: input.txns, processes: input.processes, kind, seed: input.seed });
    if (input.injectEvery > 0) {
      const kinds = injectable(kind);
      const injections: Injection[] = [];
      for (let i = 0; (i + 1) * input.injectEvery <= input.txns; i++) {
        injections.push({ what: kinds[i % kinds.length]!, at: Math.floor(((i + 0.5) * input.injectEvery * history.length) / input.txns) });
      }
      history = inject(history, kind, injections);
      for (const inj of injections) expected.push(expectedAnomaly(kind, inj.what));
    }
  }
  const g1 = performance.now();
  const rssBeforeCheckMib = round(process.memoryUsage().rss / 2 ** 20, 1);
  const cpu0 = process.cpuUsage();
  const r = await elle({}).check(history, { timeoutMs: input.timeoutMs });
  const ms = performance.now() - g1;
  const cpu = process.cpuUsage(cpu0);
  // CPU time says what the check costs even on a busy machine, where wall time says how busy it was.
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const counts = ((r.details as { anomalyCounts?: Record<string, number> } | undefined)?.anomalyCounts ?? {}) as Record<string, number>;
  const missing = [...new Set(expected)].filter((a) => !(a in counts));
  const shouldFail = input.history === 'ring' || expected.length > 0;
  return {
    ms: round(ms, 1),
    txnPerS: Math.round(input.txns / (ms / 1000)),
    cpuMs: round(cpuMs, 1),
    txnPerCpuS: Math.round(input.txns / (cpuMs / 1000)),
    verdict: r.valid === true ? 'valid' : r.valid === false ? 'invalid' : 'unknown',
    ok: (shouldFail ? r.valid === false : r.valid === true) && missing.length === 0,
    found: Object.keys(counts).length > 0 ? Object.entries(counts).map(([t, n]) => `${t}×${n}`).join(' ') : null,
    ...(missing.length > 0 && { missing: missing.join(' ') }),
    // Where the time went: inference (tables, anomalies without cycles), the graph, then components and cycle search.
    inferMs: Number(r.stats?.['inferMs'] ?? 0),
    graphMs: Number(r.stats?.['graphMs'] ?? 0),
    edges: Number(r.stats?.['edges'] ?? 0),
    largestScc: Number(r.stats?.['largestScc'] ?? 0),
    generateMs: round(g1 - g0, 1),
    rssBeforeCheckMib,
  };
}

/** Run every case in its own child and report each as an `elle` figure. */
export async function benchElle(inputs: readonly ElleInput[], reporter: Reporter): Promise<void> {
  for (const input of inputs) {
    const name = elleName(input);
    try {
      const r = await runCaseInChild('elle', input, 3 * input.timeoutMs + 120_000);
      const { peakRssMib, rssBeforeCheckMib, ...rest } = r;
      const checkerMib = typeof peakRssMib === 'number' && typeof rssBeforeCheckMib === 'number' ? round(Math.max(0, peakRssMib - rssBeforeCheckMib), 1) : undefined;
      reporter.figure('elle', name, { txns: input.txns, ...rest, peakRssMib, historyRssMib: rssBeforeCheckMib, checkerMib });
    } catch (err) {
      reporter.figure('elle', name, { txns: input.txns, error: (err as Error).message });
    }
  }
}
