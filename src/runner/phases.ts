/**
 * The workload's phases against a running cluster, all recorded in the one history:
 * setup (before any fault) → main (the fault schedule plays) → heal → recovery (the main
 * generator keeps going, fault-free) → final (e.g. final reads). Jepsen's `phases` with its
 * final generator. Each phase starts once every thread finished the one before. Setup and
 * final end at the latest after `boundedPhaseMs`, so a final phase completes even when nodes
 * stay down: operations still in flight then are given up and recorded as `info`.
 */
import { setMaxListeners } from 'node:events';
import type { Cluster } from '../api/cluster.js';
import type { ClientFactory } from '../api/client.js';
import type { Generator, Phase } from '../api/generator.js';
import type { NemesisContext, NemesisDef, ScheduleEntry } from '../api/nemesis.js';
import type { Net } from '../api/net.js';
import type { TestSpec } from '../api/test-spec.js';
import type { Workload } from '../api/workload.js';
import type { Journal } from '../history/journal.js';
import { abortableSleep } from '../abortable-sleep.js';
import { sharedSignal } from '../shared-signal.js';
import { healAll, playSchedule, type ActiveNemesis } from './nemesis-runner.js';
import type { RunUi } from './ui.js';
import { rateShortfall, type WorkerStats } from './worker-load.js';
import { PhaseDeadline, Workers } from './workers.js';

/** How long the final heal may wait on the cluster (e.g. asking for its primary). */
const HEAL_TIMEOUT_MS = 30_000;

/** The longest a setup or final phase may take: 10 s, or five operation timeouts. */
export function boundedPhaseMs(opTimeoutMs: number): number {
  return Math.max(10_000, 5 * opTimeoutMs);
}

export interface PhasesInput {
  spec: TestSpec;
  workload: Workload;
  clients: ClientFactory;
  nemeses: readonly NemesisDef[];
  schedule: readonly ScheduleEntry[];
  cluster: Cluster;
  net: Net;
  journal: Journal;
  ui: RunUi;
  /** Fires on the first Ctrl-C / SIGTERM: stop early, heal, still check. */
  interrupt: AbortSignal;
  /** Told what a reader should know: a rate shortfall, a phase cut short, a node without clients. */
  warn: (text: string) => void;
}

/** Play every phase. */
export async function playPhases(input: PhasesInput): Promise<void> {
  const { spec, workload, journal, ui, interrupt, warn } = input;
  // Every in-flight operation listens to these; their fan-out is intended, not a leak.
  setMaxListeners(0, interrupt);
  const workers = new Workers({
    clients: input.clients,
    cluster: input.cluster,
    journal,
    seed: spec.seed,
    concurrency: spec.concurrency,
    rate: spec.rate,
    opTimeoutMs: spec.opTimeoutMs,
    clientOptions: spec.clusterOptions,
    abort: interrupt,
    warn,
  });
  try {
    if (workload.setup && !interrupt.aborted) {
      ui.phase('setup');
      await boundedPhase(workers, 'setup', workload.setup, spec, interrupt, warn);
    }
    if (interrupt.aborted) return;
    const stats = await mainPhase(input, workers);
    // The rate the run asked for, or a line saying it could not be kept and why.
    const shortfall = interrupt.aborted ? undefined : rateShortfall(stats, spec.rate, spec.concurrency);
    if (shortfall) warn(shortfall);
    if (workload.finalGenerator && !interrupt.aborted) {
      ui.phase('final');
      await boundedPhase(workers, 'final', workload.finalGenerator, spec, interrupt, warn);
    }
  } finally {
    await workers.close();
  }
}

/** A setup or final phase: until every thread is done, Ctrl-C, or its deadline. */
async function boundedPhase(workers: Workers, phase: Phase, generator: Generator, spec: TestSpec, interrupt: AbortSignal, warn: (text: string) => void): Promise<void> {
  const limitMs = boundedPhaseMs(spec.opTimeoutMs);
  const deadline = AbortSignal.timeout(limitMs);
  const giveUp = new AbortController();
  const onDeadline = (): void => giveUp.abort(new PhaseDeadline(`the ${phase} phase ended after ${limitMs / 1000} s`));
  deadline.addEventListener('abort', onDeadline, { once: true });
  const stop = sharedSignal(interrupt, giveUp.signal);
  try {
    await workers.runPhase({ phase, generator, stop, giveUp: giveUp.signal });
  } finally {
    deadline.removeEventListener('abort', onDeadline);
  }
  if (giveUp.signal.aborted) warn(`the ${phase} phase did not finish within ${limitMs / 1000} s; operations still in flight were recorded as info`);
}

/** The main phase: workload and fault schedule together, then the heal and the recovery time. */
async function mainPhase(input: PhasesInput, workers: Workers): Promise<WorkerStats> {
  const { spec, journal, ui, interrupt } = input;
  const mainOver = new AbortController();
  const workersStop = new AbortController();
  setMaxListeners(0, workersStop.signal);
  const stopWorkers = (): void => workersStop.abort();
  interrupt.addEventListener('abort', stopWorkers, { once: true });
  const ctx: NemesisContext = { cluster: input.cluster, net: input.net, signal: sharedSignal(mainOver.signal, interrupt) };
  const nemeses: ActiveNemesis[] = input.nemeses.map((def) => ({ name: def.name, nemesis: def.build() }));

  ui.phase('running');
  // Schedule times count from the main phase's start, on the history's clock.
  const startMs = journal.elapsedNs() / 1e6;
  ui.startProgress(journal, spec.timeLimitS + spec.recoveryS);
  const main = workers.runPhase({ phase: 'main', generator: input.workload.generator, stop: workersStop.signal });
  const faults = playSchedule(nemeses, input.schedule, ctx, journal, () => journal.elapsedNs() / 1e6 - startMs);
  let stats: WorkerStats;
  try {
    await abortableSleep(spec.timeLimitS * 1000, interrupt);
    mainOver.abort();
    await faults;
    // Heal even after an interrupt: nothing may stay partitioned, paused or skewed.
    await healAll(nemeses, { ...ctx, signal: sharedSignal(AbortSignal.timeout(HEAL_TIMEOUT_MS)) }, journal);
    if (!interrupt.aborted) ui.phase('recovering');
    await abortableSleep(spec.recoveryS * 1000, interrupt);
  } finally {
    workersStop.abort();
    stats = await main;
    ui.stopProgress();
    interrupt.removeEventListener('abort', stopWorkers);
  }
  return stats;
}
