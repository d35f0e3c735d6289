/**
 * One run of the host conformance checks (./checks.ts) against one backend, from where its harness
 * side must be (in place, or inside its enclave: the caller re-executes itself there first, as
 * for `faultline test`). The hosts are set up and their nodes started exactly as for a test
 * (src/runner/start-cluster.ts), with the probe system instead of a system under test.
 */
import type { Enclave, HostBackend, HostSpec } from '../api/host.js';
import { createRunDirs, removeScratch } from '../runner/run-dir.js';
import { startCluster } from '../runner/start-cluster.js';
import { checks, expectNothingLeft, NODES, restore, SETUP, TEARDOWN, type CheckResult, type ProbeRun } from './checks.js';
import { answers, hostProbe } from './probe.js';

export interface ConformanceRequest {
  backend: HostBackend;
  /** `nodes` are the probe cluster's ({@link NODES} unless the backend's inventory names others). */
  spec: HostSpec;
  enclave?: Enclave;
  /** Where the run directory goes. */
  resultsRoot: string;
  /** Told each check's result as it is known, in order. */
  report: (result: CheckResult) => void;
  /** Diagnostics (a node crashed, the cluster could not be restored). */
  note: (text: string) => void;
  /** Aborted on Ctrl-C: the checks not begun yet are skipped (reported as interrupted); teardown still runs. */
  signal?: AbortSignal;
}

/** Run every check; resolves with the run directory once everything it made is gone. */
export async function runConformance(req: ConformanceRequest): Promise<{ runDir: string; results: CheckResult[] }> {
  const { backend, spec } = req;
  const results: CheckResult[] = [];
  const report = (result: CheckResult): void => {
    results.push(result);
    req.report(result);
  };
  const timed = async (name: string, fn: () => Promise<void>): Promise<void> => {
    const t0 = Date.now();
    try {
      await fn();
      report({ name, ok: true, ms: Date.now() - t0 });
    } catch (err) {
      report({ name, ok: false, error: err instanceof Error ? err.message : String(err), ms: Date.now() - t0 });
    }
  };
  const dirs = createRunDirs(req.resultsRoot, `check-hosts-${backend.name}-${spec.net}`, new Date());
  const cleanups: (() => Promise<void>)[] = [];
  let run: ProbeRun | undefined;
  try {
    await timed(SETUP, async () => {
      const { hosts } = await startCluster({
        backend,
        spec,
        system: hostProbe,
        dirs,
        ...(req.enclave && { enclave: req.enclave }),
        signal: req.signal ?? new AbortController().signal,
        track: (c) => cleanups.push(c),
        onCrash: (node, how) => req.note(`${node} crashed (${how})`),
      });
      run = { hosts, cluster: hosts.cluster, net: hosts.net, nodes: spec.nodes, dirs };
    });
    const p = run;
    for (const check of checks(spec.nodes)) {
      if (!p || req.signal?.aborted) {
        report({ name: check.name, ok: false, error: p ? 'interrupted' : 'the hosts did not start', ms: 0 });
        continue;
      }
      await timed(check.name, () => check.run(p));
      await restore(p).catch((err: unknown) => req.note(`could not restore the cluster after a check: ${String(err)}`));
    }
    await timed(TEARDOWN, async () => {
      if (!p) throw new Error('the hosts did not start');
      const boots: Record<string, number> = {};
      for (const node of p.nodes) boots[node] = (await answers(p.cluster.clientAddresses[node] as string, 1500))?.boots ?? 0;
      await p.hosts.tearDown();
      await expectNothingLeft(p, boots);
    });
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err: unknown) => req.note(`cleanup failed: ${String(err)}`));
    removeScratch(dirs);
  }
  return { runDir: dirs.root, results };
}

export { NODES };
