/**
 * How the linearizability checker scales: generated cas-register histories of 1k to 1M
 * operations by 5 to 100 concurrent processes, on a single register and spread over keys.
 *
 * Why generated histories: the published ones stop at 2 000 operations, while a faultline run
 * records hundreds of thousands; a seeded generator gives any size with a known verdict
 * (linearizable by construction), so time, throughput and peak memory can be read as functions
 * of size and concurrency. Each case runs in its own child process so its peak memory is its own.
 */
import { linearizable } from '../checkers/linearizable/index.js';
import { runCaseInChild } from './child.js';
import type { FigureValue, Reporter } from './format.js';
import { round, verdictName } from './format.js';
import { generateRegisterHistory } from './generated.js';

/** One scaling case. */
export interface ScaleInput {
  ops: number;
  processes: number;
  /** 1: a single register; more: that many keys in use at once, checked key by key. */
  keys: number;
  seed: number;
  /** The checker gives up (verdict unknown) after this long. */
  timeoutMs: number;
}

/** Keys in use at once in the keyed variant. */
const KEYED = 10;

/** The cases of a mode: every size × every concurrency × {single register, keyed}. */
export function scaleInputs(mode: 'quick' | 'default' | 'full', timeoutMs: number): ScaleInput[] {
  const sizes = mode === 'quick' ? [1_000, 10_000] : mode === 'default' ? [1_000, 10_000, 100_000] : [1_000, 10_000, 100_000, 1_000_000];
  const processes = mode === 'quick' ? [5, 100] : [5, 20, 100];
  const out: ScaleInput[] = [];
  for (const ops of sizes) for (const p of processes) for (const keys of [1, KEYED]) out.push({ ops, processes: p, keys, seed: 1, timeoutMs });
  return out;
}

/** The case's name in tables: `100k ops × 20 procs, 1 key`. */
export function scaleName(input: ScaleInput): string {
  const size = input.ops >= 1e6 ? `${input.ops / 1e6}M` : input.ops >= 1e3 ? `${input.ops / 1e3}k` : String(input.ops);
  return `${size} ops × ${input.processes} procs, ${input.keys === 1 ? 'single key' : `${input.keys} keys at once`}`;
}

/**
 * Generate the history and check it, in this process; run by bench/case-main.ts in a child.
 * `ms` is the check alone; `opsPerS` is client operations (invocation and completion pairs)
 * checked per second.
 */
export async function scaleCase(input: ScaleInput): Promise<Record<string, FigureValue>> {
  const g0 = performance.now();
  const history = generateRegisterHistory({ ops: input.ops, processes: input.processes, keys: input.keys, seed: input.seed });
  const g1 = performance.now();
  const rssBeforeMib = round(process.memoryUsage().rss / 2 ** 20, 1);
  const result = await linearizable({ model: 'cas-register' }).check(history, { timeoutMs: input.timeoutMs });
  const ms = performance.now() - g1;
  return {
    ms: round(ms, 1),
    opsPerS: Math.round(input.ops / (ms / 1000)),
    verdict: verdictName(result.valid),
    ok: result.valid === true,
    keys: Number(result.stats?.['keys'] ?? 0),
    explored: Number(result.stats?.['explored'] ?? 0),
    generateMs: round(g1 - g0, 1),
    ...(result.valid === 'unknown' && { why: result.summary }),
    rssBeforeCheckMib: rssBeforeMib,
  };
}

/** Run every case of `inputs` in its own child and report each as a `scale` figure. */
export async function benchScale(inputs: readonly ScaleInput[], reporter: Reporter): Promise<void> {
  for (const input of inputs) {
    const name = scaleName(input);
    try {
      // Generation takes about as long as checking; give it the same time again.
      const r = await runCaseInChild('scale', input, 2 * input.timeoutMs + 60_000);
      const { ms, opsPerS, verdict, ok, peakRssMib, rssBeforeCheckMib, ...rest } = r;
      // The history itself is most of the memory; what the check added on top is the peak beyond it.
      const checkerMib =
        typeof peakRssMib === 'number' && typeof rssBeforeCheckMib === 'number' ? round(Math.max(0, peakRssMib - rssBeforeCheckMib), 1) : undefined;
      reporter.figure('scale', name, {
        ...{ ops: input.ops, processes: input.processes, ms, opsPerS, verdict, ok },
        ...{ peakRssMib, historyRssMib: rssBeforeCheckMib, checkerMib, ...rest },
      });
    } catch (err) {
      reporter.figure('scale', name, { ops: input.ops, processes: input.processes, error: (err as Error).message });
    }
  }
}
