/**
 * One `faultline test`: start the cluster, run the workload and the fault schedule together,
 * heal, let the cluster recover, tear everything down, then check the history and write the
 * results. Teardown runs whatever happens (failure, Ctrl-C), in reverse order of creation.
 */
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Enclave } from '../api/host.js';
import type { NemesisContext, ScheduleEntry } from '../api/nemesis.js';
import type { TestSpec } from '../api/test-spec.js';
import { Journal } from '../history/journal.js';
import { resolveRun, type ResolvedTest } from './resolve.js';
import { createRunDirs, lastLogLine, removeScratch, type RunDirs } from './run-dir.js';
import { startCluster, type StartedCluster } from './start-cluster.js';
import { rateShortfall, runWorkers, type WorkerStats } from './workers.js';
import { healAll, playSchedule, type ActiveNemesis } from './nemesis-runner.js';
import { abortableSleep } from '../abortable-sleep.js';
import { sharedSignal } from '../shared-signal.js';
import { processIdentity } from '../process-identity.js';
import { writeJsonAtomic } from './results.js';
import { writeScheduleFile } from './schedule-file.js';
import { finishRun, type FinishedRun } from './finish-run.js';
import type { RunUi } from './ui.js';

/** How long the final heal may wait on the cluster (e.g. asking for its primary). */
const HEAL_TIMEOUT_MS = 30_000;

export interface RunRequest {
  spec: TestSpec;
  /** The command line that repeats the run, given its directory; stored with the results. */
  command: (runDir: string) => string;
  ui: RunUi;
  /** Fires on the first Ctrl-C / SIGTERM: stop early, clean up, still check and report. */
  interrupt: AbortSignal;
  /** The enclave this process runs in, when the host backend needs one for the spec (src/runner/enclave-run.ts). */
  enclave?: Enclave;
}

export async function runTest(req: RunRequest): Promise<FinishedRun> {
  const { spec, ui, interrupt } = req;
  const test = await resolveRun(spec);
  const startedAt = new Date();
  const dirs = createRunDirs(spec.resultsRoot, spec.name, startedAt);
  // A forced exit (second Ctrl-C, or an error before the teardown below runs) skips the
  // teardown; node processes die with their tethers, and this removes the scratch directory.
  const removeOnExit = (): void => removeScratch(dirs);
  process.once('exit', removeOnExit);
  const command = req.command(dirs.root);
  // `harness` lets `faultline report` refuse a run that is still going.
  writeJsonAtomic(`${dirs.root}/test.json`, { spec, command, harness: processIdentity() });
  writeScheduleFile(`${dirs.root}/schedule.json`, { nemeses: test.nemeses.map((def) => def.name), entries: test.schedule });
  const journal = new Journal(dirs.history);
  const schedule: ScheduleEntry[] = test.schedule;
  const warnings: string[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  let error: string | undefined;
  let clusterStartS: number | undefined;
  let started: StartedCluster | undefined;
  let netDescription: unknown;

  const warn = (text: string): void => {
    warnings.push(text);
    ui.warn(text);
  };
  ui.header(spec, dirs.root, schedule);
  // A node that dies before the cluster is ready fails the start at once, with its last words,
  // instead of leaving the system's readiness check to time out.
  const startFailed = new AbortController();
  try {
    ui.phase(`starting ${spec.nodes.length} ${spec.cluster} nodes`);
    const onCrash = (node: string, how: string): void => {
      warn(`node ${node} crashed (${how}); see ${dirs.logFile(node)}`);
      if (started === undefined && !startFailed.signal.aborted) {
        const said = lastLogLine(dirs.logFile(node));
        startFailed.abort(new Error(`${spec.cluster} did not start: node ${node} exited (${how})${said ? `: ${said}` : ''}; see ${dirs.logFile(node)}`));
      }
    };
    const startSignal = AbortSignal.any([interrupt, startFailed.signal]);
    started = await startCluster({
      backend: test.hosts,
      spec,
      system: test.system,
      dirs,
      ...(req.enclave && { enclave: req.enclave }),
      signal: startSignal,
      track: (c) => cleanups.push(c),
      onCrash,
    });
    clusterStartS = started.startS;
    if (!interrupt.aborted) {
      const shortfall = await mainPhase(req, test, started, journal, schedule, warn);
      if (shortfall) warn(shortfall);
    }
  } catch (err) {
    const cause: unknown = startFailed.signal.aborted ? startFailed.signal.reason : err;
    if (!interrupt.aborted) error = cause instanceof Error ? cause.message : String(cause);
    ui.debug(err);
  } finally {
    ui.phase('tearing down');
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((err: unknown) => warnings.push(`cleanup failed: ${String(err)}`));
    }
    journal.close();
    removeScratch(dirs);
    process.off('exit', removeOnExit);
    netDescription = started?.hosts.describe(); // After teardown: final counters, faults healed.
  }
  return finishRun({
    dirs,
    spec,
    command,
    checker: test.workload.checker,
    startedAt,
    durationS: (Date.now() - startedAt.getTime()) / 1000,
    ...(clusterStartS !== undefined && { clusterStartS }),
    net: started?.hosts.net.kind ?? spec.net,
    ...(netDescription !== undefined && { netDescription }),
    schedule,
    warnings,
    interrupted: interrupt.aborted,
    ...(error !== undefined && { error }),
    ui,
    // A first Ctrl-C during the check stops it (verdict unknown); after an earlier one, the
    // partial history is still checked in full, and a second Ctrl-C forces the exit.
    ...(!interrupt.aborted && { signal: interrupt }),
  });
}

async function mainPhase(
  req: RunRequest,
  test: ResolvedTest,
  started: StartedCluster,
  journal: Journal,
  schedule: readonly ScheduleEntry[],
  warn: (text: string) => void,
): Promise<string | undefined> {
  const { spec, ui, interrupt } = req;
  // Every in-flight operation listens to these; their fan-out is intended, not a leak.
  setMaxListeners(0, interrupt);
  const mainOver = new AbortController();
  const workersStop = new AbortController();
  setMaxListeners(0, workersStop.signal);
  const stopWorkers = (): void => workersStop.abort();
  interrupt.addEventListener('abort', stopWorkers, { once: true });
  const { cluster, net } = started.hosts;
  const ctx: NemesisContext = { cluster, net, signal: sharedSignal(mainOver.signal, interrupt) };
  const nemeses: ActiveNemesis[] = test.nemeses.map((def) => ({ name: def.name, nemesis: def.build() }));

  ui.phase('running');
  const startMs = performance.now();
  ui.startProgress(journal, spec.timeLimitS + spec.recoveryS);
  const workers = runWorkers({
    clients: test.clients,
    cluster,
    generator: test.workload.generator,
    journal,
    seed: spec.seed,
    concurrency: spec.concurrency,
    rate: spec.rate,
    opTimeoutMs: spec.opTimeoutMs,
    stop: workersStop.signal,
    abort: interrupt,
    warn,
  });
  const faults = playSchedule(nemeses, schedule, ctx, journal, startMs, () => performance.now());
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
    stats = await workers;
    ui.stopProgress();
    interrupt.removeEventListener('abort', stopWorkers);
  }
  // The rate the run asked for, or a line saying it could not be kept and why.
  return interrupt.aborted ? undefined : rateShortfall(stats, spec.rate, spec.concurrency);
}

export type { RunDirs };
