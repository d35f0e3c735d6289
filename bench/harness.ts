/**
 * faultline's own throughput: operations recorded per second through the real CLI, against the
 * trivial echo system (memory-kv, one node: faultline's overhead alone) and against raft-kv on
 * five nodes without faults, with the cluster's start-to-ready time, the harness's peak memory,
 * and the CPU spent per operation by the harness and by the cluster while the workload runs.
 * raft-kv is also measured on every other host backend this machine offers (`--net netns` as
 * root, `--hosts docker` when DOCKER_HOST's daemon answers), for start-to-ready and ops/s per
 * backend.
 *
 * Why the real CLI in a child process: the figure that matters is what a user gets from
 * `faultline test`, fault proxy, journal, checking and report included, and a child keeps the
 * harness's peak memory its own. bench/cli-entry.ts picks the compiled CLI.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResults } from '../src/results/schema.js';
import { readHistoryFile } from '../src/history/formats/index.js';
import { pairOps } from '../src/history/pairs.js';
import { answers, daemonAddress, dockerAt } from '../src/hosts/docker/daemon.js';
import { runChild } from './child.js';
import { cliEntry, type CliEntry } from './cli-entry.js';
import { sampleTree } from './proc-sampler.js';
import type { Reporter } from './format.js';
import { round } from './format.js';

/** One harness run. */
export interface HarnessCase {
  cluster: 'memory-kv' | 'raft-kv';
  nodes: number;
  clients: number;
  /** Seconds of workload. */
  seconds: number;
  /** The issue's target for this system, in recorded operations per second (a figure, not a test). */
  target: number;
  /** Where the nodes run, as `--hosts` and `--net` (the embedded default when absent). */
  hosts?: { hosts: string; net?: string };
}

/** The host backends besides the default that raft-kv is measured on, when this machine offers them. */
const BACKENDS: readonly { hosts: string; net?: string; unavailable(): Promise<string | undefined> }[] = [
  { hosts: 'local', net: 'netns', unavailable: async () => (process.getuid?.() === 0 ? undefined : 'needs root') },
  {
    hosts: 'docker',
    unavailable: async () => {
      if (process.getuid?.() !== 0) return 'needs root';
      const { socket } = daemonAddress();
      return socket !== undefined && (await answers(dockerAt(socket))) ? undefined : 'no Docker daemon answers at DOCKER_HOST (faultline lab docker up)';
    },
  },
];

/** Targets from the issue: the echo system, and raft-kv without faults. */
const TARGET = { 'memory-kv': 20_000, 'raft-kv': 2_000 } as const;

/** The runs of a mode. */
export function harnessCases(mode: 'quick' | 'default' | 'full'): HarnessCase[] {
  const seconds = mode === 'quick' ? 3 : 10;
  const mk = (cluster: HarnessCase['cluster'], clients: number): HarnessCase => ({
    cluster,
    nodes: cluster === 'memory-kv' ? 1 : 5,
    clients,
    seconds,
    target: TARGET[cluster],
  });
  const elsewhere = BACKENDS.map(({ hosts, net }) => ({ ...mk('raft-kv', 10), hosts: { hosts, net } }));
  if (mode === 'quick') return [mk('memory-kv', 10), mk('memory-kv', 200), mk('raft-kv', 10), ...elsewhere];
  const out = [mk('memory-kv', 10), mk('memory-kv', 50), mk('memory-kv', 200), mk('raft-kv', 10), mk('raft-kv', 50), ...elsewhere];
  if (mode === 'full') out.push(mk('raft-kv', 200));
  return out;
}

/** Mean and 99th-percentile latency of the client operations in a history, in ms. */
async function latencies(historyFile: string): Promise<{ meanMs: number; p99Ms: number }> {
  const { ops } = await readHistoryFile(historyFile);
  const ms = pairOps(ops.filter((o) => o.process !== 'nemesis'))
    .flatMap((p) => (p.completion ? [(p.completion.time - p.invoke.time) / 1e6] : []))
    .sort((a, b) => a - b);
  if (ms.length === 0) return { meanMs: 0, p99Ms: 0 };
  return { meanMs: round(ms.reduce((s, x) => s + x, 0) / ms.length, 2), p99Ms: round(ms[Math.floor(0.99 * (ms.length - 1))] as number, 2) };
}

/** Run one case through the CLI and report it as a `harness` figure. */
async function runCase(c: HarnessCase, cli: CliEntry, reporter: Reporter): Promise<void> {
  const where = c.hosts ? `, --hosts ${c.hosts.hosts}${c.hosts.net ? ` --net ${c.hosts.net}` : ''}` : '';
  const name = `${c.cluster} × ${c.nodes} node${c.nodes > 1 ? 's' : ''}, ${c.clients} clients${where}`;
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-run-'));
  try {
    const args = [
      ...['test', '--cluster', c.cluster, '--nodes', String(c.nodes), '--nemesis', 'none', '--rate', '1000000'],
      ...['--concurrency', String(c.clients), '--time-limit', String(c.seconds), '--recovery-time', '0'],
      ...['--seed', '1', '--results-dir', dir, '--name', 'bench'],
      ...(c.hosts ? ['--hosts', c.hosts.hosts, ...(c.hosts.net ? ['--net', c.hosts.net] : [])] : []),
    ];
    const load1 = round(loadavg()[0] ?? 0, 1);
    const historyFile = (): string | undefined => {
      const d = readdirSync(dir).find((n) => n !== 'latest');
      return d && join(dir, d, 'history.jsonl');
    };
    let sampler: ReturnType<typeof sampleTree> | undefined;
    const run = await runChild([cli.path, ...args], {
      timeoutMs: (c.seconds + 240) * 1000,
      onSpawn: (pid) => (sampler = sampleTree(pid, historyFile)),
    });
    const cpu = sampler?.stop();
    const runDir = readdirSync(dir).find((d) => d !== 'latest');
    const resultsFile = runDir && join(dir, runDir, 'results.json');
    if (!resultsFile || !existsSync(resultsFile)) {
      const why = run.timedOut ? 'timed out' : `exited ${run.code}: ${run.stderr.trim().split('\n').slice(-2).join(' / ')}`;
      reporter.figure('harness', name, { error: `no results.json (${why})` });
      return;
    }
    const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as RunResults;
    const workloadS = results.spec.timeLimitS + results.spec.recoveryS;
    const history = join(dir, runDir as string, 'history.jsonl');
    const lat = await latencies(history);
    const opsPerS = Math.round(results.ops.invoke / workloadS);
    // CPU per op in the steady workload window: CPU per byte of history × bytes per operation.
    const bytesPerOp = statSync(history).size / Math.max(1, results.ops.invoke);
    const usPerOp = (msPerByte: number | undefined): number | undefined =>
      msPerByte === undefined ? undefined : round(1000 * msPerByte * bytesPerOp, 1);
    reporter.figure('harness', name, {
      ops: results.ops.invoke,
      opsPerS,
      target: c.target,
      okPerS: Math.round(results.ops.ok / workloadS),
      meanLatencyMs: lat.meanMs,
      p99LatencyMs: lat.p99Ms,
      clusterStartS: results.clusterStartS,
      durationS: results.durationS,
      harnessPeakRssMib: run.peakRssMib,
      harnessCpuUsPerOp: usPerOp(cpu?.rootMsPerByte),
      clusterCpuUsPerOp: usPerOp(cpu?.treeMsPerByte),
      harnessCpuS: run.cpuMs !== undefined ? round(run.cpuMs / 1000, 1) : undefined,
      valid: String(results.valid),
      cli: cli.kind,
      load1,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Run every case in turn (one cluster at a time: they compete for the same cores). */
export async function benchHarness(cases: readonly HarnessCase[], reporter: Reporter): Promise<void> {
  const cli = await cliEntry();
  if (cli.note) reporter.note(`harness: ${cli.note}`);
  try {
    for (const c of cases) {
      const backend = c.hosts && BACKENDS.find((b) => b.hosts === c.hosts?.hosts && b.net === c.hosts?.net);
      const why = await backend?.unavailable();
      if (why !== undefined) reporter.note(`harness: raft-kv on --hosts ${c.hosts?.hosts}${c.hosts?.net ? ` --net ${c.hosts.net}` : ''} skipped: ${why}`);
      else await runCase(c, cli, reporter);
    }
  } finally {
    cli.dispose();
  }
}
