/**
 * The files of a run directory besides the history that the report draws: the nodes' message
 * traces (`nodes/<node>.messages.jsonl`, see src/node/message-trace.ts) and their logs
 * (`nodes/<node>.log`), placed on the history's time axis (nanoseconds since the workload's
 * start) through results.json's `timeOrigin`.
 *
 * Both are bounded here, since the report must stay small enough to open: at most
 * {@link MAX_MESSAGES} messages (those around `focus`, the anomalies' windows, first, then the
 * earliest), and per node log the first and last {@link LOG_KEEP_BYTES}. What was left out is
 * said in `notes`, and the full files stay beside the report.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { nsSince, type ClockReading } from '../node/time-base.js';
import type { RunResults } from './schema.js';

/** One message between two nodes, as the traces of both ends tell it. */
export interface TracedMessage {
  from: string;
  to: string;
  /** When the sender handed it to its transport; absent when only the receiver recorded it. */
  sentNs?: number;
  /** When the receiver read it; absent when it never arrived (lost, cut, node down). */
  recvNs?: number;
  /** The sender's transport dropped it (queue overflow, a link cut for backlog). */
  dropped?: boolean;
  type: string;
  summary: string;
}

export interface RunMessages {
  nodes: string[];
  messages: TracedMessage[];
  /** How many messages the traces hold in all (more than `messages` when capped). */
  total: number;
  notes: string[];
}

export interface NodeLog {
  node: string;
  /** The file, relative to the run directory (the report links to it). */
  file: string;
  lines: string[];
  /** Each line's time in ns since the workload's start, or null when it carries no timestamp. */
  timesNs: (number | null)[];
  /** Bytes of the file left out of `lines`. */
  omittedBytes: number;
}

export interface RunFiles {
  messages?: RunMessages;
  logs: NodeLog[];
}

/** Messages the report carries at most. */
export const MAX_MESSAGES = 200_000;
/** Of a node log longer than twice this, the first and the last this many bytes are kept. */
export const LOG_KEEP_BYTES = 512 * 1024;
/** Messages this close to a focus window count as inside it. */
const FOCUS_MARGIN_NS = 2e9;

const TRACE_SUFFIX = '.messages.jsonl';
const LOG_SUFFIX = '.log';

/** A time window in ns since the workload's start. */
export interface Window {
  startNs: number;
  endNs: number;
}

/** The time spans of the anomalies' operations: what a reader will look at first. */
export function anomalyWindows(results: Pick<RunResults, 'checkers'>): Window[] {
  const out: Window[] = [];
  for (const r of Object.values(results.checkers)) {
    for (const a of r.anomalies ?? []) {
      if (a.ops.length === 0) continue;
      let startNs = Number.POSITIVE_INFINITY;
      let endNs = Number.NEGATIVE_INFINITY;
      for (const op of a.ops) {
        startNs = Math.min(startNs, op.time);
        endNs = Math.max(endNs, op.time);
      }
      out.push({ startNs, endNs });
    }
  }
  return out;
}

/** Message traces and node logs of the run in `runDir`. Files that cannot be read are left out. */
export function loadRunFiles(runDir: string, results: Pick<RunResults, 'timeOrigin' | 'checkers'>): RunFiles {
  const focus = anomalyWindows(results);
  const dir = join(runDir, 'nodes');
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return { logs: [] };
  }
  const origin = results.timeOrigin;
  const logs = names.filter((n) => n.endsWith(LOG_SUFFIX)).flatMap((n) => readLog(join(dir, n), `nodes/${n}`, n.slice(0, -LOG_SUFFIX.length), origin));
  const traces = names.filter((n) => n.endsWith(TRACE_SUFFIX)).map((n) => join(dir, n));
  if (traces.length === 0) return { logs };
  if (!origin) return { logs, messages: { nodes: [], messages: [], total: 0, notes: ['message traces are not placed in time: results.json has no timeOrigin (written by an older faultline)'] } };
  return { logs, messages: readTraces(traces, origin, focus) };
}

interface TraceEvent {
  t?: number;
  e?: string;
  p?: string;
  id?: string;
  m?: string;
  x?: string;
  node?: string;
  clock?: ClockReading;
}

function readTraces(files: readonly string[], origin: ClockReading, focus: readonly Window[]): RunMessages {
  const byId = new Map<string, TracedMessage>();
  const nodes = new Set<string>();
  const notes: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      notes.push(`${file} could not be read`);
      continue;
    }
    let node = '';
    let base = 0;
    for (const line of text.split('\n')) {
      if (line === '') continue;
      let ev: TraceEvent;
      try {
        ev = JSON.parse(line) as TraceEvent;
      } catch {
        continue; // A torn last line of a node killed mid-write.
      }
      if (ev.clock && typeof ev.node === 'string') {
        node = ev.node;
        nodes.add(node);
        base = nsSince(origin, ev.clock);
        continue;
      }
      if (ev.e === 'cap') notes.push(`${node}: ${ev.x ?? 'trace capped'}`);
      if (!node || typeof ev.t !== 'number' || typeof ev.id !== 'string' || typeof ev.p !== 'string') continue;
      nodes.add(ev.p);
      const at = base + ev.t;
      const key = ev.e === 'r' ? `${ev.p}>${ev.id}` : `${node}>${ev.id}`;
      let msg = byId.get(key);
      if (!msg) {
        msg = ev.e === 'r' ? { from: ev.p, to: node, type: ev.m ?? '', summary: ev.x ?? '' } : { from: node, to: ev.p, type: ev.m ?? '', summary: ev.x ?? '' };
        byId.set(key, msg);
      }
      if (ev.e === 's') msg.sentNs = at;
      else if (ev.e === 'r') msg.recvNs = at;
      else if (ev.e === 'd') msg.dropped = true;
    }
  }
  const all = [...byId.values()];
  const time = (m: TracedMessage): number => m.sentNs ?? m.recvNs ?? 0;
  all.sort((a, b) => time(a) - time(b));
  const kept = all.length <= MAX_MESSAGES ? all : capMessages(all, focus, time);
  if (kept.length < all.length) notes.push(`${kept.length.toLocaleString('en')} of ${all.length.toLocaleString('en')} messages kept (those around the anomalies first); the traces in nodes/ hold all of them`);
  return { nodes: [...nodes].sort(), messages: kept, total: all.length, notes };
}

/** At most MAX_MESSAGES of `all` (sorted by time): those near a focus window, then the earliest. */
function capMessages(all: readonly TracedMessage[], focus: readonly Window[], time: (m: TracedMessage) => number): TracedMessage[] {
  const near = (m: TracedMessage): boolean => focus.some((w) => time(m) >= w.startNs - FOCUS_MARGIN_NS && time(m) <= w.endNs + FOCUS_MARGIN_NS);
  const keep = new Set<TracedMessage>();
  for (const m of all) if (keep.size < MAX_MESSAGES && near(m)) keep.add(m);
  for (const m of all) {
    if (keep.size >= MAX_MESSAGES) break;
    keep.add(m);
  }
  return all.filter((m) => keep.has(m));
}

/** An ISO-8601 timestamp near the start of a log line (bundled nodes, etcd's JSON logs, most others). */
const STAMP = /(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d))/;

function readLog(file: string, relative: string, node: string, origin: ClockReading | undefined): NodeLog[] {
  let size: number;
  let raw: Buffer;
  try {
    size = statSync(file).size;
    raw = readFileSync(file);
  } catch {
    return [];
  }
  let text: string;
  let omittedBytes = 0;
  if (size > 2 * LOG_KEEP_BYTES) {
    omittedBytes = size - 2 * LOG_KEEP_BYTES;
    const head = raw.subarray(0, LOG_KEEP_BYTES).toString('utf8');
    const tail = raw.subarray(size - LOG_KEEP_BYTES).toString('utf8');
    // Whole lines only, on both sides of the gap.
    text = `${head.slice(0, head.lastIndexOf('\n') + 1)}… ${omittedBytes.toLocaleString('en')} bytes left out; the whole log is ${relative} …\n${tail.slice(tail.indexOf('\n') + 1)}`;
  } else {
    text = raw.toString('utf8');
  }
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const timesNs = lines.map((line) => {
    if (!origin) return null;
    const m = STAMP.exec(line.slice(0, 64));
    const wall = m ? Date.parse(m[1]!) : Number.NaN;
    return Number.isFinite(wall) ? (wall - origin.wallMs) * 1e6 : null;
  });
  return [{ node, file: relative, lines, timesNs, omittedBytes }];
}
