/**
 * The data report.html's script draws, built from a run's files: client operations paired and
 * stored column by column (compact for 100 000 operations and more), fault intervals, fault
 * operations, the anomalies with their rows and what each operation needs and leaves, message
 * traces and node logs. Times become milliseconds since the workload's start.
 */
import type { Anomaly } from '../api/checker.js';
import type { Op } from '../api/op.js';
import { pairOps, type OpPair } from '../history/pairs.js';
import type { RunFiles } from '../results/run-files.js';
import type { RunResults } from '../results/schema.js';
import type { AnomalyData, BandData, FaultOpData, MessagesData, OpsData, ReportData, StepData } from './client/types.js';
import { escapeXml } from './escape.js';
import { describeFault } from './fault-text.js';

/** Fault bands drawn at most; beyond, nearby bands of one nemesis are merged. */
export const MAX_BANDS = 2000;
/** Client operations a report carries at most (see shownRange). */
export const MAX_REPORT_OPS = 250_000;
/** Fault operations listed at most (the history holds them all). */
export const MAX_FAULT_OPS = 5000;
/** Values are cut to this many characters in the report (the history holds them whole). */
const MAX_VALUE_CHARS = 160;

export const COLOURS: ReportData['colours'] = {
  outcome: ['#1f9d55', '#d6332a', '#c98a00', '#8a8fa0'],
  fault: {
    partition: '#8e5bd0',
    kill: '#d6332a',
    restart: '#e07a3a',
    'rolling-restart': '#e07a3a',
    pause: '#d49a00',
    clock: '#2f7fd6',
    latency: '#179e9e',
    loss: '#8b5a2b',
    other: '#8a8fa0',
  },
  f: ['#2f7fd6', '#1f9d55', '#b8621b', '#8e44ad', '#1b7f8e', '#a03060', '#6b6f00'],
};

const ms = (ns: number): number => Math.round(ns / 1e3) / 1e3;

function json(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 3)}...` : text;
}

/** Fault intervals: `start-x` opens a band (from its completion) that `stop-x` or `heal` closes. */
export function faultBands(ops: readonly Op[], endNs: number): (BandData & { startNs: number; endNs: number })[] {
  const open = new Map<string, BandData & { startNs: number; endNs: number }>();
  const bands: (BandData & { startNs: number; endNs: number })[] = [];
  for (const op of ops) {
    if (op.process !== 'nemesis' || op.type === 'invoke') continue;
    if (op.f.startsWith('start-')) {
      const kind = op.f.slice('start-'.length);
      const band = { startNs: op.time, endNs, start: ms(op.time), end: ms(endNs), kind, label: describeFault(op.f, op.value) };
      open.set(kind, band);
      bands.push(band);
    } else if (op.f.startsWith('stop-') || op.f === 'heal') {
      const kinds = op.f === 'heal' ? [...open.keys()] : [op.f.slice('stop-'.length)];
      for (const kind of kinds) {
        const band = open.get(kind);
        if (band) {
          band.endNs = op.time;
          band.end = ms(op.time);
        }
        open.delete(kind);
      }
    }
  }
  return bands;
}

/**
 * At most `max` bands: bands of one nemesis closer than a gap are joined (the gap doubling until
 * few enough remain), labelled with how many faults they hold.
 */
export function mergeBands(bands: readonly BandData[], max = MAX_BANDS): BandData[] {
  if (bands.length <= max) return [...bands];
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const b of bands) {
    first = Math.min(first, b.start);
    last = Math.max(last, b.end);
  }
  let gap = Math.max(1e-3, (last - first) / (max * 4));
  for (;;) {
    const out: BandData[] = [];
    const byKind = new Map<string, BandData[]>();
    for (const b of bands) {
      const list = byKind.get(b.kind);
      if (list) list.push(b);
      else byKind.set(b.kind, [b]);
    }
    for (const [kind, list] of byKind) {
      list.sort((a, b) => a.start - b.start);
      let cur: { start: number; end: number; n: number } | undefined;
      const flush = (): void => {
        if (cur) out.push({ start: cur.start, end: cur.end, kind, label: cur.n === 1 ? kind : `${cur.n.toLocaleString('en')} ${kind} faults` });
      };
      for (const b of list) {
        if (cur && b.start - cur.end <= gap) {
          cur.end = Math.max(cur.end, b.end);
          cur.n++;
        } else {
          flush();
          cur = { start: b.start, end: b.end, n: 1 };
        }
      }
      flush();
    }
    if (out.length <= max) return out.sort((a, b) => a.start - b.start);
    gap *= 2;
  }
}

/**
 * What an operation of a register-like model needs the state to be when it takes effect, and
 * what it leaves there (reads need the value they returned; writes leave theirs; a cas needs its
 * old value and leaves its new one). Other operations are only labelled.
 */
export function stepOf(f: string, value: unknown, result: unknown, outcome: Op['type'] | undefined): Omit<StepData, 'row'> {
  const done = outcome === 'ok';
  if (outcome === 'fail') return { label: `${f} ${json(value)} failed: no effect` };
  if (f === 'read' || f === 'get') return done ? { label: `read → ${json(result)}`, needs: json(result) } : { label: 'read (no answer)' };
  if (f === 'write' || f === 'put') return { label: `write ${json(value)}`, makes: json(value) };
  if (f === 'cas' && Array.isArray(value) && value.length === 2) return { label: `cas ${json(value[0])} → ${json(value[1])}`, needs: json(value[0]), makes: json(value[1]) };
  return { label: `${f} ${json(value)}${done ? ` → ${json(result)}` : ''}` };
}

/** An explanation as HTML: escaped, with every `#n` a link to history entry n. */
export function explanationHtml(text: string): string {
  return text
    .split(/#(\d+)/)
    .map((part, k) => (k % 2 === 1 ? `<a href="#op-${part}" data-op="${part}">#${part}</a>` : escapeXml(part)))
    .join('');
}

/**
 * Which operations the report carries: all of them up to {@link MAX_REPORT_OPS}; beyond, that
 * many in a row, centred on the first anomaly's first operation (or from the start), since a
 * page holding millions would not open. history.jsonl keeps them all.
 */
function shownRange(pairs: readonly OpPair[], results: RunResults): { from: number; to: number } {
  if (pairs.length <= MAX_REPORT_OPS) return { from: 0, to: pairs.length };
  const first = Object.values(results.checkers).flatMap((r) => r.anomalies ?? [])[0]?.ops[0];
  let centre = 0;
  if (first) {
    let lo = 0;
    let hi = pairs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pairs[mid]!.invoke.index < first.index) lo = mid + 1;
      else hi = mid;
    }
    centre = lo;
  }
  const from = Math.max(0, Math.min(centre - MAX_REPORT_OPS / 2, pairs.length - MAX_REPORT_OPS));
  return { from, to: from + MAX_REPORT_OPS };
}

/** A table of distinct strings: `of(s)` is the index of `s`, added on first sight (-1 for undefined). */
function stringTable(): { table: string[]; of(s: string | undefined): number } {
  const table: string[] = [];
  const index = new Map<string, number>();
  return {
    table,
    of(s) {
      if (s === undefined) return -1;
      let k = index.get(s);
      if (k === undefined) {
        k = table.length;
        table.push(s);
        index.set(s, k);
      }
      return k;
    },
  };
}

export function buildReportData(results: RunResults, history: readonly Op[], files: RunFiles): ReportData {
  const { table: strings, of: str } = stringTable();
  const ops: OpsData = { idx: [], cidx: [], t0: [], t1: [], type: [], process: [], f: [], key: [], node: [], error: [], value: [], result: [] };
  const rowOfIndex = new Map<number, number>();
  let firstNs = 0;
  let lastNs = 0;
  for (const op of history) lastNs = Math.max(lastNs, op.time);
  const all = pairOps(history.filter((op) => op.process !== 'nemesis'));
  const { from, to } = shownRange(all, results);
  const pairs = all.slice(from, to);
  for (const { invoke, completion } of pairs) {
    const row = ops.idx.length;
    rowOfIndex.set(invoke.index, row);
    if (completion) rowOfIndex.set(completion.index, row);
    firstNs = Math.min(firstNs, invoke.time);
    ops.idx.push(invoke.index);
    ops.cidx.push(completion?.index ?? -1);
    ops.t0.push(ms(invoke.time));
    ops.t1.push(completion ? ms(completion.time) : -1);
    ops.type.push(completion ? { ok: 0, fail: 1, info: 2, invoke: 3 }[completion.type] : 3);
    ops.process.push(typeof invoke.process === 'number' ? invoke.process : -1);
    ops.f.push(str(invoke.f));
    ops.key.push(str(invoke.key));
    ops.node.push(str(invoke.node));
    ops.error.push(str(completion?.error));
    ops.value.push(str(json(invoke.value)));
    ops.result.push(completion ? str(json(completion.value)) : -1);
  }
  const bands = faultBands(history, lastNs).map(({ start, end, kind, label }) => ({ start, end, kind, label }));
  const shownBands = mergeBands(bands);
  const faultDone = history.filter((op) => op.process === 'nemesis' && op.type !== 'invoke');
  const faultOps: FaultOpData[] = faultDone.slice(0, MAX_FAULT_OPS).map((op) => ({
    t: ms(op.time),
    idx: op.index,
    f: op.f,
    text: describeFault(op.f, op.value),
    ...(op.error !== undefined && { error: op.error }),
  }));
  const anomalies: AnomalyData[] = [];
  for (const [checker, r] of Object.entries(results.checkers)) {
    for (const a of r.anomalies ?? []) anomalies.push(anomalyData(checker, a, rowOfIndex, ops, history));
  }
  return {
    start: ms(firstNs),
    end: Math.max(ms(lastNs), 1),
    strings,
    ops,
    bands: shownBands,
    bandsMerged: shownBands.length < bands.length,
    ...(pairs.length < all.length && { clipped: { from, to, total: all.length } }),
    faultOps,
    faultOpsTotal: faultDone.length,
    anomalies,
    ...(files.messages && { messages: messagesData(files.messages) }),
    logs: files.logs.map((log) => ({ node: log.node, file: log.file, lines: log.lines, times: log.timesNs.map((t) => (t === null ? null : ms(t))), omittedBytes: log.omittedBytes })),
    colours: COLOURS,
  };
}

function anomalyData(checker: string, a: Anomaly, rowOfIndex: ReadonlyMap<number, number>, ops: OpsData, history: readonly Op[]): AnomalyData {
  const rows = [...new Set(a.ops.map((op) => rowOfIndex.get(op.index)).filter((r): r is number => r !== undefined))].sort((x, y) => ops.t0[x]! - ops.t0[y]!);
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const r of rows) {
    start = Math.min(start, ops.t0[r]!);
    end = Math.max(end, ops.t1[r]! >= 0 ? ops.t1[r]! : ops.t0[r]!);
  }
  const steps = rows.map((row) => {
    const completion = ops.cidx[row]! >= 0 ? history[ops.cidx[row]!] : undefined;
    const invoke = history[ops.idx[row]!];
    return { row, ...stepOf(invoke?.f ?? '', invoke?.value, completion?.value, completion?.type) };
  });
  return {
    checker,
    kind: a.kind,
    summary: a.summary,
    ...(a.key !== undefined && { key: a.key }),
    explanationHtml: explanationHtml(a.explanation),
    rows,
    start: Number.isFinite(start) ? start : 0,
    end: Number.isFinite(end) ? end : 0,
    steps,
    ...(a.cycle && { cycle: a.cycle }),
  };
}

function messagesData(m: NonNullable<RunFiles['messages']>): MessagesData {
  const nodeIndex = new Map(m.nodes.map((n, k) => [n, k]));
  const types = stringTable();
  const summaries = stringTable();
  const out: MessagesData = { nodes: [...m.nodes], from: [], to: [], sent: [], recv: [], dropped: [], type: [], types: types.table, summary: [], summaries: summaries.table, total: m.total, notes: m.notes };
  for (const msg of m.messages) {
    const from = nodeIndex.get(msg.from);
    const to = nodeIndex.get(msg.to);
    if (from === undefined || to === undefined) continue;
    out.from.push(from);
    out.to.push(to);
    out.sent.push(msg.sentNs === undefined ? null : ms(msg.sentNs));
    out.recv.push(msg.recvNs === undefined ? null : ms(msg.recvNs));
    out.dropped.push(msg.dropped ? 1 : 0);
    out.type.push(types.of(msg.type));
    out.summary.push(summaries.of(msg.summary));
  }
  return out;
}
