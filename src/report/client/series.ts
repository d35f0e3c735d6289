/**
 * The pure computations behind the report's drawings: timeline rows, and the tables the latency
 * and throughput plots draw. Each function is self-contained (shipped as source text into the
 * page, see ../client-bundle.ts) and runs in Node too, where the tests call it directly.
 */
import type { Lanes, ReportData } from './types.js';

/**
 * How far an operation's mark reaches beyond its invocation: to its completion, or for an
 * unknown outcome (info, or no completion at all) a fading marker as long as the client waited
 * and at least `fadeMs`.
 */
export function reachOf(type: number, t0: number, t1: number, fadeMs: number): number {
  return type >= 2 ? Math.max(fadeMs, t1 >= 0 ? t1 - t0 : 0) : t1 - t0;
}

/**
 * Rows for the timeline: each process gets a row for as long as it lives (first invocation to
 * the end of its last mark, see reachOf), and a row is reused by a later process once it is
 * free. So a process that ended early (a client whose operation timed out continues as a new
 * process) keeps a short lane, and the next process of that client usually takes the same row.
 */
export function packLanes(data: ReportData, fadeMs: number): Lanes {
  const { ops } = data;
  const n = ops.idx.length;
  const spans = new Map<number, { start: number; end: number; entries: number[] }>();
  for (let i = 0; i < n; i++) {
    const p = ops.process[i] as number;
    const end = ops.t0[i]! + reachOf(ops.type[i]!, ops.t0[i]!, ops.t1[i]!, fadeMs);
    const span = spans.get(p);
    if (span) {
      span.end = Math.max(span.end, end);
      span.entries.push(i);
    } else {
      spans.set(p, { start: ops.t0[i]!, end, entries: [i] });
    }
  }
  const order = [...spans.entries()].sort((a, b) => a[1].start - b[1].start || a[0] - b[0]);
  const freeAt: number[] = [];
  const rows: number[][] = [];
  const processes: number[][] = [];
  const rowOf: number[] = new Array<number>(n).fill(0);
  for (const [process, span] of order) {
    let row = freeAt.findIndex((t) => t <= span.start);
    if (row < 0) {
      row = freeAt.length;
      freeAt.push(0);
      rows.push([]);
      processes.push([]);
    }
    freeAt[row] = span.end;
    processes[row]!.push(process);
    const entries = rows[row]!;
    for (const i of span.entries) {
      rowOf[i] = row;
      entries.push(i);
    }
  }
  for (const entries of rows) entries.sort((a, b) => ops.t0[a]! - ops.t0[b]!);
  return { rowOf, rows, processes };
}

/**
 * The latency plot's table (uPlot's aligned columns): x is the invocation time of every
 * completed operation; per f, a column of latencies (ms) where that f completed (ok or fail),
 * then per f its p50, p95 and p99 over buckets of `bucketMs`, placed at the operation nearest
 * each bucket's middle; last a column for operations of unknown outcome (how long they were
 * waited for). Linear in the number of operations (they come in invocation order).
 */
export function latencyTable(data: ReportData, bucketMs: number): { table: (number | null)[][]; series: { label: string; f: number; q?: number }[] } {
  const { ops, strings } = data;
  const done: number[] = [];
  for (let i = 0; i < ops.t0.length; i++) if (ops.t1[i]! >= 0) done.push(i);
  if (done.some((i, k) => k > 0 && ops.t0[i]! < ops.t0[done[k - 1]!]!)) done.sort((a, b) => ops.t0[a]! - ops.t0[b]!);
  const fs: number[] = [];
  for (const i of done) if (!fs.includes(ops.f[i]!)) fs.push(ops.f[i]!);
  fs.sort((a, b) => strings[a]!.localeCompare(strings[b]!));
  const column = new Map(fs.map((f, k) => [f, k]));
  const QS = [0.5, 0.95, 0.99];
  const m = done.length;
  const columns = 2 + fs.length * 4;
  const table: (number | null)[][] = Array.from({ length: columns }, () => new Array<number | null>(m).fill(null));
  const x = table[0]!;
  const buckets = new Map<number, number[]>();
  const infoColumn = table[columns - 1]!;
  done.forEach((i, k) => {
    const t0 = ops.t0[i]!;
    const lat = Math.max(ops.t1[i]! - t0, 1e-3);
    x[k] = t0;
    const f = column.get(ops.f[i]!)!;
    if (ops.type[i] === 2) {
      infoColumn[k] = lat;
      return;
    }
    table[1 + f]![k] = lat;
    const key = Math.floor(t0 / bucketMs) * fs.length + f;
    const list = buckets.get(key);
    if (list) list.push(lat);
    else buckets.set(key, [lat]);
  });
  for (const [key, lats] of buckets) {
    const f = ((key % fs.length) + fs.length) % fs.length;
    const b = (key - f) / fs.length;
    let k = 0;
    let hi = m;
    const middle = (b + 0.5) * bucketMs;
    while (k < hi) {
      const mid = (k + hi) >>> 1;
      if ((x[mid] as number) < middle) k = mid + 1;
      else hi = mid;
    }
    lats.sort((p, q) => p - q);
    QS.forEach((q, j) => {
      table[1 + fs.length + f * 3 + j]![Math.min(k, m - 1)] = lats[Math.min(lats.length - 1, Math.floor(q * lats.length))]!;
    });
  }
  const series = [
    ...fs.map((f) => ({ label: strings[f]!, f })),
    ...fs.flatMap((f) => QS.map((q) => ({ label: `${strings[f]!} p${Math.round(q * 100)}`, f, q }))),
    { label: 'info (unknown)', f: -1 },
  ];
  return { table, series };
}

/** The throughput plot's table: per bucket of `bucketMs`, completions per second that were ok, fail and info. */
export function throughputTable(data: ReportData, bucketMs: number): (number | null)[][] {
  const { ops } = data;
  const first = Math.floor(data.start / bucketMs);
  const count = Math.max(1, Math.ceil(data.end / bucketMs) - first + 1);
  const table: (number | null)[][] = [Array.from({ length: count }, (_, i) => (first + i) * bucketMs), ...[0, 1, 2].map(() => new Array<number | null>(count).fill(0))];
  const perSecond = 1000 / bucketMs;
  for (let i = 0; i < ops.t1.length; i++) {
    const t1 = ops.t1[i]!;
    const type = ops.type[i]!;
    if (t1 < 0 || type > 2) continue;
    const b = Math.floor(t1 / bucketMs) - first;
    const column = table[1 + type]!;
    if (b >= 0 && b < count) column[b] = (column[b] as number) + perSecond;
  }
  return table;
}
