/**
 * One `faultline test`: start the cluster, run the workload and the fault schedule together,
 * heal, let the cluster recover, tear everything down, then check the history and write the
 * results. Teardown runs whatever happens (failure, Ctrl-C), in reverse order of creation.
 */
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { NemesisContext, ScheduleEntry } from '../api/nemesis.js';
import type { TestSpec } from '../api/test-spec.js';
import { Journal } from '../history/journal.js';
import { resolveTest } from './resolve.js';
import { createRunDirs, removeScratch, type RunDirs } from './run-dir.js';
import { startCluster } from './start-cluster.js';
import { runWorkers } from './workers.js';
import { healAll, playSchedule, type ActiveNemesis } from './nemesis-runner.js';
import { abortableSleep } from './sleep.js';
import { writeJsonAtomic } from './results.js';
import { writeScheduleFile } from './schedule-file.js';
import { finishRun, type FinishedRun } from './finish-run.js';
import type { RunUi } from './ui.js';

export interface RunRequest {
  spec: TestSpec;
  /** The command line that repeats the run, given its directory; stored with the results. */
  command: (runDir: string) => string;
  ui: RunUi;
  /** Fires on the first Ctrl-C / SIGTERM: stop early, clean up, still check and report. */
  interrupt: AbortSignal;
}

export async function runTest(req: RunRequest): Promise<FinishedRun> {
  const { spec, ui, interrupt } = req;
  const test = resolveTest(spec);
  const startedAt = new Date();
  const dirs = createRunDirs(spec.resultsRoot, spec.name, startedAt);
  const command = req.command(dirs.root);
  writeJsonAtomic(`${dirs.root}/test.json`, { spec, command });
  writeScheduleFile(`${dirs.root}/schedule.json`, { nemeses: spec.nemeses, entries: test.schedule });
  const journal = new Journal(dirs.history);
  const schedule: ScheduleEntry[] = test.schedule;
  const warnings: string[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  let error: string | undefined;
  let clusterStartS: number | undefined;
  let netKind = 'proxy';

  ui.header(spec, dirs.root, schedule);
  // A forced exit (second Ctrl-C) skips the teardown below; node processes die with their
  // tethers, and this removes the scratch directory on the way out.
  const removeOnExit = (): void => removeScratch(dirs);
  process.once('exit', removeOnExit);
  try {
    ui.phase(`starting ${spec.nodes} ${spec.cluster} nodes`);
    const started = await startCluster(spec, test.system, dirs, interrupt, (c) => cleanups.push(c), (node, how) => {
      const text = `node ${node} crashed (${how}); see ${dirs.logFile(node)}`;
      warnings.push(text);
      ui.warn(text);
    });
    clusterStartS = started.startS;
    netKind = started.net.kind;
    if (!interrupt.aborted) await mainPhase(req, test, started, journal, schedule);
  } catch (err) {
    if (!interrupt.aborted) error = err instanceof Error ? err.message : String(err);
    ui.debug(err);
  } finally {
    ui.phase('tearing down');
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((err: unknown) => warnings.push(`cleanup failed: ${String(err)}`));
    }
    journal.close();
    removeScratch(dirs);
    process.off('exit', removeOnExit);
  }
  return finishRun({
    dirs,
    spec,
    command,
    checker: test.workload.checker,
    startedAt,
    durationS: (Date.now() - startedAt.getTime()) / 1000,
    ...(clusterStartS !== undefined && { clusterStartS }),
    net: netKind,
    schedule,
    warnings,
    interrupted: interrupt.aborted,
    ...(error !== undefined && { error }),
    ui,
  });
}

async function mainPhase(
  req: RunRequest,
  test: ReturnType<typeof resolveTest>,
  started: Awaited<ReturnType<typeof startCluster>>,
  journal: Journal,
  schedule: readonly ScheduleEntry[],
): Promise<void> {
  const { spec, ui, interrupt } = req;
  // Every in-flight operation listens to these; their fan-out is intended, not a leak.
  setMaxListeners(0, interrupt);
  const mainOver = new AbortController();
  const workersStop = new AbortController();
  setMaxListeners(0, workersStop.signal);
  const stopWorkers = (): void => workersStop.abort();
  interrupt.addEventListener('abort', stopWorkers, { once: true });
  const ctx: NemesisContext = { cluster: started.cluster, net: started.net, signal: AbortSignal.any([mainOver.signal, interrupt]) };
  const nemeses: ActiveNemesis[] = test.nemeses.map((def) => ({ name: def.name, nemesis: def.build() }));

  ui.phase('running');
  const startMs = performance.now();
  ui.startProgress(journal, spec.timeLimitS + spec.recoveryS);
  const workers = runWorkers({
    clients: test.clients,
    cluster: started.cluster,
    generator: test.workload.generator,
    journal,
    seed: spec.seed,
    concurrency: spec.concurrency,
    rate: spec.rate,
    opTimeoutMs: spec.opTimeoutMs,
    stop: workersStop.signal,
    abort: interrupt,
  });
  const faults = playSchedule(nemeses, schedule, ctx, journal, startMs, () => performance.now());
  try {
    await abortableSleep(spec.timeLimitS * 1000, interrupt);
    mainOver.abort();
    await faults;
    // Heal even after an interrupt: nothing may stay partitioned, paused or skewed.
    await healAll(nemeses, { ...ctx, signal: new AbortController().signal }, journal);
    if (!interrupt.aborted) ui.phase('recovering');
    await abortableSleep(spec.recoveryS * 1000, interrupt);
  } finally {
    workersStop.abort();
    await workers;
    ui.stopProgress();
    interrupt.removeEventListener('abort', stopWorkers);
  }
}

export type { RunDirs };
