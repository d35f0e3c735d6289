/**
 * The runs under a results directory, as `faultline serve` lists them: one row per run
 * directory, from its results.json (any version) or, for a run that is still going or was
 * killed, its test.json. Rows are cached by the files' size and time, so a listing of hundreds
 * of runs does not parse every results.json on each request.
 */
import { readdirSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { Validity } from '../api/checker.js';
import type { TestSpec } from '../api/test-spec.js';
import { readJsonFile } from '../results/json-file.js';
import { readResultsFile } from '../results/read.js';

export interface RunRow {
  /** The run directory's name under the results directory. */
  dir: string;
  startedAt: string;
  system: string;
  workload: string;
  nemeses: string;
  bugs: string;
  /** `valid`, `invalid`, `unknown`, or `no results` (running, or killed before it checked). */
  verdict: string;
  durationS?: number;
  ops?: number;
  /** The first anomaly's summary, or the harness error. */
  note: string;
  hasReport: boolean;
}

const cache = new Map<string, { stamp: string; row: RunRow }>();

function verdictWord(valid: Validity): string {
  return valid === true ? 'valid' : valid === false ? 'invalid' : 'unknown';
}

function stampOf(stats: Stats | undefined): string {
  return stats ? `${stats.size}:${stats.mtimeMs}` : 'none';
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function rowOf(root: string, dir: string, results: Stats | undefined, created: Date): RunRow | undefined {
  const base = join(root, dir);
  const hasReport = statOrUndefined(join(base, 'report.html')) !== undefined;
  if (results) {
    try {
      const r = readResultsFile(join(base, 'results.json'));
      const first = Object.values(r.checkers).flatMap((c) => c.anomalies ?? [])[0];
      return {
        dir,
        startedAt: r.startedAt || created.toISOString(),
        system: r.spec.cluster,
        workload: r.spec.workload,
        nemeses: r.spec.nemeses.join(', ') || 'none',
        bugs: r.spec.bugs.join(', '),
        verdict: verdictWord(r.valid),
        durationS: r.durationS,
        ops: r.ops.invoke,
        note: r.error ?? first?.summary ?? '',
        hasReport,
      };
    } catch {
      // A damaged results.json: listed from test.json below.
    }
  }
  let spec: Partial<TestSpec> | undefined;
  try {
    // As check and report read it: a test.json past V8's largest string still lists its run.
    spec = (readJsonFile(join(base, 'test.json')) as { spec?: Partial<TestSpec> }).spec;
  } catch {
    return undefined; // Not a run directory.
  }
  return {
    dir,
    startedAt: created.toISOString(),
    system: String(spec?.cluster ?? '?'),
    workload: String(spec?.workload ?? '?'),
    nemeses: Array.isArray(spec?.nemeses) ? spec.nemeses.join(', ') || 'none' : '?',
    bugs: Array.isArray(spec?.bugs) ? spec.bugs.join(', ') : '',
    verdict: 'no results',
    note: 'still running, or stopped before it wrote results.json (faultline report rebuilds it)',
    hasReport,
  };
}

/** Every run directory directly under `root`, newest first. Symlinks (such as `latest`) are not runs of their own. */
export function listRuns(root: string): RunRow[] {
  let entries;
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch {
    return [];
  }
  const rows: RunRow[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const base = join(root, entry.name);
    const results = statOrUndefined(join(base, 'results.json'));
    const test = statOrUndefined(join(base, 'test.json'));
    if (!results && !test) continue;
    const stamp = `${stampOf(results)}|${stampOf(test)}|${stampOf(statOrUndefined(join(base, 'report.html')))}`;
    const key = base;
    const hit = cache.get(key);
    if (hit && hit.stamp === stamp) {
      rows.push(hit.row);
      continue;
    }
    const row = rowOf(root, entry.name, results, (test ?? results)!.mtime);
    if (!row) continue;
    cache.set(key, { stamp, row });
    rows.push(row);
  }
  return rows.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.dir.localeCompare(a.dir));
}

/** The rows matching `query` (words, all of which must appear in a row) and `verdict` (empty: any). */
export function filterRuns(rows: readonly RunRow[], query: string, verdict: string): RunRow[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return rows.filter((row) => {
    if (verdict && row.verdict !== verdict) return false;
    const text = [row.dir, row.system, row.workload, row.nemeses, row.bugs, row.verdict, row.note, row.startedAt].join(' ').toLowerCase();
    return words.every((w) => text.includes(w));
  });
}
