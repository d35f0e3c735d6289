/**
 * Fault operations in words: the one formatter the terminal (schedule, progress), the report
 * and JUnit use, so a fault reads the same everywhere.
 *
 * Two kinds of value reach it. A planned operation (a schedule entry, an invocation) carries
 * what the nemesis was asked to do, where a fault aimed at the primary names it as `the
 * primary` (the node is only known when the fault runs). A completion carries what was done:
 * every bundled nemesis puts it in words in `text`, naming the nodes actually hit. Values of
 * other shapes (third-party nemeses, hand-written schedules) are rendered field by field.
 */
import type { Grudge } from '../api/net.js';
import { describeGrudge } from '../net/grudge.js';

/** "1 node", "3 nodes". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n.toLocaleString('en')} ${n === 1 ? word : many}`;
}

/** A value in JSON's words (`null`, never `nil`), objects as `k=v` pairs, short. */
export function compactValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(compactValue).join(', ');
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}=${typeof v === 'object' && v !== null ? JSON.stringify(v) : compactValue(v)}`)
      .join(' ');
  }
  return String(value);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const nodeList = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined);

/** `+30.5 s`, `-0.2 s`. */
function offset(ms: number): string {
  return `${ms < 0 ? '-' : '+'}${Number((Math.abs(ms) / 1000).toFixed(3))} s`;
}

/** A node set by who it is: `the primary`, `all nodes`, `n2, n4 (minority)`. */
function victims(target: unknown, nodes: readonly string[]): string {
  if (target === 'primary') return 'the primary';
  if (target === 'all') return 'all nodes';
  return `${nodes.join(', ')}${typeof target === 'string' ? ` (${target})` : ''}`;
}

/** What undoing `name` means, for `stop-<name>` operations as planned. */
const UNDO: Readonly<Record<string, string>> = {
  partition: 'heal the partition',
  kill: 'restart the killed nodes',
  restart: 'start the stopped nodes',
  pause: 'resume the paused nodes',
  clock: 'reset clocks',
  'clock-primary': 'reset clocks',
  'rolling-restart': 'end the rolling restart',
};

/** A planned `start-<name>` in words, from the value's shape. */
function describeStart(name: string, v: Record<string, unknown>): string | undefined {
  if (typeof v.shape === 'string') {
    if (v.shape === 'isolate-primary') return 'isolate the primary';
    return isObject(v.grudge) ? `partition ${v.shape}: ${describeGrudge(v.grudge as Grudge)}` : `partition ${v.shape}`;
  }
  const nodes = nodeList(v.nodes);
  if (typeof v.target === 'string' && nodes) return `${name} ${victims(v.target, nodes)}`;
  if (v.kind === 'skew' && isObject(v.offsets)) {
    const offsets = Object.entries(v.offsets).filter((e): e is [string, number] => typeof e[1] === 'number');
    if (v.target === 'primary') return `skew the primary's clock ${offset(offsets[0]?.[1] ?? 0)}`;
    return `skew clocks: ${offsets.map(([node, ms]) => `${node} ${offset(ms)}`).join(', ')}`;
  }
  if (v.kind === 'strobe' && typeof v.node === 'string' && typeof v.deltaMs === 'number') {
    return `strobe ${v.node}'s clock ±${offset(v.deltaMs).slice(1)} every ${String(v.periodMs)} ms for ${Number(v.forMs) / 1000} s`;
  }
  const where = typeof v.node === 'string' ? `links to and from ${v.node}` : 'all links';
  if (typeof v.latencyMs === 'number') {
    const jitter = typeof v.jitterMs === 'number' && v.jitterMs > 0 ? `–${v.latencyMs + v.jitterMs}` : '';
    return `delay ${where} by ${v.latencyMs}${jitter} ms`;
  }
  if (typeof v.loss === 'number') return `lose ${Math.round(v.loss * 100)} % of traffic on ${where}`;
  if (nodes && typeof v.gapMs === 'number') return `restart ${nodes.join(', ')} in turn, ${v.gapMs} ms apart`;
  return undefined;
}

/**
 * One fault operation in words, from its `f` and value: `isolate the primary`, `kill n3
 * (primary)`, `partition random-halves: n1,n2 | n3,n4,n5`, `heal every fault (partition, kill)`.
 */
export function describeFault(f: string, value: unknown): string {
  if (isObject(value) && typeof value.text === 'string') return value.text;
  if (f === 'heal') {
    const names = nodeList(value);
    return names && names.length > 0 ? `heal every fault (${names.join(', ')})` : 'heal every fault';
  }
  const start = /^start-(.+)$/.exec(f);
  if (start && isObject(value)) {
    const text = describeStart(start[1]!, value);
    if (text !== undefined) return text;
  }
  const stop = /^stop-(.+)$/.exec(f);
  if (stop && (value === null || value === undefined)) return UNDO[stop[1]!] ?? `end ${stop[1]!}`;
  if (value === null || value === undefined) return f;
  return `${f} ${compactValue(value)}`;
}

/** Schedule entries printed one per line up to this many; longer schedules are summarised. */
export const SCHEDULE_LINES = 40;

/**
 * A schedule for the terminal: every entry when it is short; otherwise the first and last few
 * and a count per operation, so a schedule of a million entries prints in a few lines.
 */
export function scheduleLines(schedule: readonly { atMs: number; f: string; value?: unknown }[]): string[] {
  const line = (e: { atMs: number; f: string; value?: unknown }): string => `${(e.atMs / 1000).toFixed(1).padStart(7)} s  ${describeFault(e.f, e.value)}`;
  if (schedule.length <= SCHEDULE_LINES) return schedule.map(line);
  const head = SCHEDULE_LINES / 2;
  const tail = 5;
  const counts = new Map<string, number>();
  for (const e of schedule) counts.set(e.f, (counts.get(e.f) ?? 0) + 1);
  const summary = [...counts].map(([f, n]) => `${f} ×${n.toLocaleString('en')}`).join(', ');
  return [
    ...schedule.slice(0, head).map(line),
    `    ... ${plural(schedule.length - head - tail, 'more operation')} (${summary} in all; every entry is in schedule.json) ...`,
    ...schedule.slice(-tail).map(line),
  ];
}
