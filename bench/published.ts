/**
 * The checker on the published histories with known verdicts (../shared/bench/): time and
 * verdict per history, a total per set, and Porcupine's published time beside ours where
 * generated-register/verdicts.tsv gives one.
 *
 * Why a wrapper around bench/checker.ts: that benchmark belongs to the checker's owner and
 * measures the check alone; this module only adds what `npm run bench` reports on top (the
 * `ok` column, Porcupine's figures, the totals), so there is one place that times the checker.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchCheckers } from './checker.js';
import { REPO_ROOT } from './child.js';
import type { Reporter } from './format.js';
import { round, verdictName } from './format.js';

/** Where the shared histories live: `../shared/bench` beside the repository. */
export const SHARED_BENCH = join(REPO_ROOT, '..', 'shared', 'bench');

/** A history file as other checkers see it: one file, one model, one expected verdict. */
export interface PublishedHistory {
  set: string;
  file: string;
  path: string;
  model: 'cas-register' | 'kv';
  expected: string;
  /** Our time for it (per-key decomposition on, as Porcupine does), in ms. */
  ourMs: number;
}

/** The folders of ../shared/bench and the model each is checked against. */
const SETS: readonly { dir: string; model: PublishedHistory['model'] }[] = [
  { dir: 'porcupine-etcd', model: 'cas-register' },
  { dir: 'porcupine-kv', model: 'kv' },
  { dir: 'generated-register', model: 'cas-register' },
];

/** Porcupine's published time (ms) and peak memory (MiB) per generated-register file. */
function porcupineFigures(): Map<string, { ms: number; mib: number }> {
  const file = join(SHARED_BENCH, 'generated-register', 'verdicts.tsv');
  const out = new Map<string, { ms: number; mib: number }>();
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [name, , seconds, mb] = line.split('\t');
    if (name && seconds !== undefined && Number.isFinite(Number(seconds))) out.set(name, { ms: Number(seconds) * 1000, mib: Number(mb) });
  }
  return out;
}

/**
 * Check every published history (bench/checker.ts's `benchCheckers`), report one `checker`
 * figure per history and one total per set, and return the histories for other checkers.
 * Returns an empty list, with a note, when ../shared/bench is absent.
 */
export async function benchPublished(reporter: Reporter, timeoutMs: number): Promise<PublishedHistory[]> {
  if (!existsSync(SHARED_BENCH)) {
    reporter.note(`checker: skipped, ${SHARED_BENCH} is absent (the published histories live there)`);
    return [];
  }
  const porcupine = porcupineFigures();
  const lines = await benchCheckers(undefined, undefined, timeoutMs);
  for (const l of lines) {
    const verdict = verdictName(l.verdict);
    const p = l.suite === 'generated-register' ? porcupine.get(l.file) : undefined;
    reporter.figure('checker', `${l.suite}/${l.file}`, {
      ops: l.ops,
      ms: l.ms,
      verdict,
      expected: l.expected,
      ok: verdict === l.expected,
      porcupineMs: p?.ms,
      porcupineRatio: p ? round(p.ms / Math.max(l.ms, 0.01), 1) : undefined,
      porcupineMib: p?.mib,
      explored: l.explored,
    });
  }
  for (const suite of [...new Set(lines.map((l) => l.suite))]) {
    const of = lines.filter((l) => l.suite === suite);
    const ms = of.reduce((s, l) => s + l.ms, 0);
    const known = of.map((l) => (l.suite === 'generated-register' ? porcupine.get(l.file) : undefined));
    const porcupineMs = known.every((k) => k !== undefined) ? known.reduce((s, k) => s + (k?.ms ?? 0), 0) : undefined;
    reporter.figure('checker', `${suite} (total, ${of.length} histories)`, {
      ops: of.reduce((s, l) => s + l.ops, 0),
      ms: round(ms),
      ok: of.every((l) => verdictName(l.verdict) === l.expected),
      porcupineMs,
      porcupineRatio: porcupineMs !== undefined ? round(porcupineMs / Math.max(ms, 0.01), 1) : undefined,
    });
  }
  return lines.flatMap((l) => {
    const set = SETS.find((s) => s.dir === l.suite);
    if (!set) return [];
    return [{ set: set.dir, file: l.file, path: join(SHARED_BENCH, set.dir, l.file), model: set.model, expected: l.expected, ourMs: l.ms }];
  });
}
