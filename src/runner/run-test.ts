/**
 * One `faultline test`: start the cluster, run the workload and the fault schedule together,
 * heal, let the cluster recover, tear everything down, then check the history and write the
 * results. Teardown runs whatever happens (failure, Ctrl-C), in reverse order of creation.
 */
import type { Enclave } from '../api/host.js';
import type { ScheduleEntry } from '../api/nemesis.js';
import type { TestSpec } from '../api/test-spec.js';
import { Journal } from '../history/journal.js';
import { resolveRun } from './resolve.js';
import { createRunDirs, lastLogLine, markRunWritten, removeScratch, type RunDirs } from './run-dir.js';
import { startCluster, type StartedCluster } from './start-cluster.js';
import { playPhases } from './phases.js';
import { writeJsonAtomic } from '../results/write.js';
import { writeScheduleFile } from './schedule-file.js';
import { finishRun, markUnfinished, type FinishedRun } from './finish-run.js';
import { readClocks, type ClockReading } from '../node/time-base.js';
import type { RunUi } from './ui.js';

export interface RunRequest {
  spec: TestSpec;
  /** The command line that repeats the run, given its directory; stored with the results. */
  command: (runDir: string) => string;
  ui: RunUi;
  /** Fires on the first Ctrl-C / SIGTERM: stop early, clean up, still check and report. */
  interrupt: AbortSignal;
  /** The enclave this process runs in, when the host backend needs one for the spec (src/runner/enclave-run.ts). */
  enclave?: Enclave;
  /** Also write the JUnit file here (`--junit PATH`). */
  junitPath?: string;
}

export async function runTest(req: RunRequest): Promise<FinishedRun> {
  const { ui, interrupt } = req;
  const test = await resolveRun(req.spec);
  // The spec as stored: every workload option, defaults filled in, so a saved run rebuilds it.
  const spec: TestSpec = { ...req.spec, workloadOptions: { ...test.workloadOptions } };
  const startedAt = new Date();
  const dirs = createRunDirs(spec.resultsRoot, spec.name, startedAt);
  // A forced exit (second Ctrl-C, or an error before the teardown below runs) skips the
  // teardown; node processes die with their tethers, and this removes the scratch directory.
  const removeOnExit = (): void => removeScratch(dirs);
  process.once('exit', removeOnExit);
  const command = req.command(dirs.root);
  markUnfinished([dirs.junit, ...(req.junitPath !== undefined ? [req.junitPath] : [])], spec, startedAt);
  writeJsonAtomic(`${dirs.root}/test.json`, { spec, command });
  writeScheduleFile(`${dirs.root}/schedule.json`, { nemeses: test.nemeses.map((def) => def.name), entries: test.schedule });
  const journal = new Journal(dirs.history);
  const schedule: ScheduleEntry[] = test.schedule;
  const warnings: string[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  let error: string | undefined;
  let clusterStartS: number | undefined;
  let started: StartedCluster | undefined;
  let netDescription: unknown;
  let timeOrigin: ClockReading | undefined;

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
      const { cluster, net } = started.hosts;
      const { workload, clients, nemeses } = test;
      // History time 0 (and the fault schedule's) is the workload's start: one time base.
      const origin = readClocks();
      journal.setOrigin(BigInt(origin.monoNs));
      timeOrigin = origin;
      await playPhases({ spec, workload, clients, nemeses, schedule, cluster, net, journal, ui, interrupt, warn });
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
  const finished = await finishRun({
    dirs,
    spec,
    command,
    checkers: test.workload.checkers,
    startedAt,
    durationS: (Date.now() - startedAt.getTime()) / 1000,
    ...(clusterStartS !== undefined && { clusterStartS }),
    ...(timeOrigin !== undefined && { timeOrigin }),
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
    ...(req.junitPath !== undefined && { junitCopy: req.junitPath }),
  });
  markRunWritten(dirs);
  return finished;
}

export type { RunDirs };
