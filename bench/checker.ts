/**
 * Times the linearizability checker on the published histories in ../shared/bench/ and prints
 * one JSON line per history: {suite, file, ops, verdict, expected, ms, ...}.
 *
 * Why this way: the figure compares checkers, so `ms` is the check alone (parsing is reported
 * separately as `parseMs`), after a warm-up pass so the JIT is hot as in a long-running harness,
 * and it is the fastest of `repeat` runs, because this 2-core machine is often shared and the
 * minimum is the figure least disturbed by other processes (`medianMs` is given beside it).
 * On a machine loaded past its cores even the fastest wall time is mostly waiting for a core,
 * so `cpuMs` gives the median CPU time of the process (user + system) over the same checks.
 *
 * Run: node --import tsx bench/checker.ts [--repeat N] [--no-reductions] [suite ...]
 * Suites: porcupine-etcd, porcupine-kv, porcupine-kv-whole (no per-key decomposition),
 * generated-register.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { linearizable, type LinearizableOptions } from '../checkers/linearizable/index.js';
import type { Validity } from '../src/api/checker.js';
import { readHistoryFile } from '../src/history/formats/index.js';

/** One measured history. */
export interface CheckerBenchLine {
  suite: string;
  file: string;
  ops: number;
  verdict: Validity;
  expected: string;
  /** Fastest check of `repeat` runs, in ms. */
  ms: number;
  medianMs: number;
  /** Median CPU time of the process over the `repeat` checks, in ms: the figure to read on a loaded machine. */
  cpuMs: number;
  parseMs: number;
  /** Configurations the search visited. */
  explored: number;
}

/** Options of `benchCheckers`. */
export interface CheckerBenchOptions {
  /** Runs per history (default 5). */
  repeat?: number;
  /** Search options (e.g. reductions switched off). */
  search?: LinearizableOptions['search'];
}

interface Suite {
  name: string;
  dir: string;
  model: string;
  partitionKeys: boolean;
}

const BENCH = fileURLToPath(new URL('../../shared/bench/', import.meta.url));

const SUITES: Suite[] = [
  { name: 'porcupine-etcd', dir: 'porcupine-etcd', model: 'cas-register', partitionKeys: true },
  { name: 'porcupine-kv', dir: 'porcupine-kv', model: 'kv', partitionKeys: true },
  { name: 'porcupine-kv-whole', dir: 'porcupine-kv', model: 'kv', partitionKeys: false },
  { name: 'generated-register', dir: 'generated-register', model: 'cas-register', partitionKeys: true },
];

/** Every reduction off: plain WGL with the exact memo (for comparison). */
export const NO_REDUCTIONS: NonNullable<LinearizableOptions['search']> = {
  readForcing: false,
  symmetry: false,
  keyFocus: false,
  frontierFirst: false,
  infoDominance: false,
  localRefutation: false,
};

function verdicts(dir: string): [string, string][] {
  const file = `${BENCH}${dir}/verdicts.tsv`;
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.split('\t') as [string, string]);
}

function verdictName(v: Validity): string {
  return v === true ? 'linearizable' : v === false ? 'not-linearizable' : 'unknown';
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/**
 * Check every history of the chosen suites (all by default), calling `onLine` for each.
 * Returns the lines; suites whose folder is missing are skipped.
 */
export async function benchCheckers(
  suites: readonly string[] = SUITES.map((s) => s.name),
  onLine: (line: CheckerBenchLine) => void = () => {},
  timeoutMs = 120_000,
  opts: CheckerBenchOptions = {},
): Promise<CheckerBenchLine[]> {
  const repeat = Math.max(1, opts.repeat ?? 5);
  const out: CheckerBenchLine[] = [];
  // Warm-up: the etcd suite once, unrecorded.
  for (const [file] of verdicts('porcupine-etcd')) {
    const h = await readHistoryFile(`${BENCH}porcupine-etcd/${file}`);
    await linearizable({ model: 'cas-register', search: opts.search ?? {} }).check(h.ops, {});
  }
  for (const suite of SUITES.filter((s) => suites.includes(s.name))) {
    const checker = linearizable({ model: suite.model, partitionKeys: suite.partitionKeys, search: opts.search ?? {} });
    for (const [file, expected] of verdicts(suite.dir)) {
      const p0 = performance.now();
      const h = await readHistoryFile(`${BENCH}${suite.dir}/${file}`);
      const parseMs = performance.now() - p0;
      const times: number[] = [];
      const cpu: number[] = [];
      let r = await checker.check(h.ops, { timeoutMs });
      for (let i = 0; i < repeat; i++) {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        r = await checker.check(h.ops, { timeoutMs });
        const c = process.cpuUsage(c0);
        times.push(performance.now() - t0);
        cpu.push((c.user + c.system) / 1000);
        if (r.valid === 'unknown') break;
      }
      times.sort((a, b) => a - b);
      cpu.sort((a, b) => a - b);
      const line: CheckerBenchLine = {
        suite: suite.name,
        file,
        ops: Number(r.stats?.['ops'] ?? 0),
        verdict: r.valid,
        expected,
        ms: round2(times[0]!),
        medianMs: round2(times[Math.floor(times.length / 2)]!),
        cpuMs: round2(cpu[Math.floor(cpu.length / 2)]!),
        parseMs: round2(parseMs),
        explored: Number(r.stats?.['explored'] ?? 0),
      };
      if (verdictName(r.valid) !== expected) process.stderr.write(`MISMATCH ${suite.name}/${file}: ${verdictName(r.valid)} ≠ ${expected}\n`);
      out.push(line);
      onLine(line);
    }
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const plain = args.includes('--no-reductions');
  const ri = args.indexOf('--repeat');
  const repeat = ri >= 0 ? Number(args[ri + 1]) : undefined;
  const names = args.filter((a, i) => !a.startsWith('--') && !(ri >= 0 && i === ri + 1));
  const opts: CheckerBenchOptions = {};
  if (repeat !== undefined) opts.repeat = repeat;
  if (plain) opts.search = NO_REDUCTIONS;
  const lines = await benchCheckers(names.length > 0 ? names : undefined, (l) => process.stdout.write(`${JSON.stringify(l)}\n`), 120_000, opts);
  const bySuite = new Map<string, { ms: number; cpuMs: number }>();
  for (const l of lines) {
    const t = bySuite.get(l.suite) ?? { ms: 0, cpuMs: 0 };
    bySuite.set(l.suite, { ms: t.ms + l.ms, cpuMs: t.cpuMs + l.cpuMs });
  }
  for (const [s, t] of bySuite) process.stderr.write(`${s}: ${t.ms.toFixed(1)} ms total (fastest of each), ${t.cpuMs.toFixed(1)} ms of CPU (median of each)\n`);
}
