/**
 * The broadcast checker (Maelstrom's broadcast workload): `broadcast` operations of unique
 * values, `read`s during the run, and a `final-read` through every node after the heal. Judged
 * as a set (../set/): every acknowledged broadcast must be in the final read of every node
 * (else lost), and no read, during the run or at its end, may return a value nobody broadcast
 * (unexpected). Unknown when a node that served the run has no final read, since it cannot be
 * judged.
 *
 * Also, as Maelstrom reports them: `stale-reads`, the reads that lacked a value whose broadcast
 * was acknowledged before they began; and the stable latency of each acknowledged value, from its
 * broadcast's invocation to the end of the last read that still lacked it (0 when none did).
 */
import type { CheckResult, Checker } from '../../src/api/checker.js';
import type { Op } from '../../src/api/op.js';
import { judgeSet, parseSet, SetFormatError, type Add } from '../set/index.js';

const NS_PER_MS = 1e6;

export function broadcast(): Checker {
  return { name: 'broadcast', check: async (history) => checkBroadcast(history) };
}

/** A read that answered: when it ran, through which node, and what it saw. */
interface Read {
  invoke: Op;
  completion: Op;
  values: ReadonlySet<number>;
}

/** Every read and final read that answered with a list of values. */
function answeredReads(history: readonly Op[]): Read[] {
  const open = new Map<number | string, Op>();
  const reads: Read[] = [];
  for (const op of history) {
    if (op.process === 'nemesis' || (op.f !== 'read' && op.f !== 'final-read')) continue;
    if (op.type === 'invoke') open.set(op.process, op);
    else {
      const invoke = open.get(op.process);
      open.delete(op.process);
      if (invoke && op.type === 'ok' && Array.isArray(op.value)) reads.push({ invoke, completion: op, values: new Set(op.value.filter((v): v is number => typeof v === 'number')) });
    }
  }
  return reads;
}

/** The median, 95th percentile and maximum of `xs`, rounded to ms. */
function spread(xs: readonly number[]): { median: number; p95: number; max: number } | undefined {
  if (xs.length === 0) return undefined;
  const sorted = [...xs].sort((a, b) => a - b);
  const at = (q: number): number => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number);
  return { median: at(0.5), p95: at(0.95), max: Math.round(sorted[sorted.length - 1] as number) };
}

/** Reads that lacked a value acknowledged before they began, and each acknowledged value's stable latency in ms. */
export function staleness(acked: readonly Add[], reads: readonly Read[]): { stale: number; latencies: number[] } {
  const byAck = [...acked].sort((a, b) => (a.completion as Op).time - (b.completion as Op).time);
  let stale = 0;
  for (const r of reads) {
    for (const add of byAck) {
      if ((add.completion as Op).time >= r.invoke.time) break;
      if (!r.values.has(add.element)) {
        stale += 1;
        break;
      }
    }
  }
  const latencies = acked.map((add) => {
    const missedUntil = reads.reduce((t, r) => (r.invoke.time > add.invoke.time && !r.values.has(add.element) ? Math.max(t, r.completion.time) : t), add.invoke.time);
    return (missedUntil - add.invoke.time) / NS_PER_MS;
  });
  return { stale, latencies };
}

export function checkBroadcast(history: readonly Op[]): CheckResult {
  let parsed;
  try {
    parsed = parseSet(history, { add: 'broadcast', finalRead: 'final-read' });
  } catch (err) {
    if (err instanceof SetFormatError) return { valid: 'unknown', summary: `not a broadcast history: ${err.message}` };
    throw err;
  }
  const { adds, reads: finals } = parsed;
  const judged = judgeSet(adds, finals);
  const reads = answeredReads(history);
  const sent = new Set(adds.map((a) => a.element));
  const strays = reads.filter((r) => r.invoke.f === 'read' && [...r.values].some((v) => !sent.has(v)));
  const acked = adds.filter((a) => a.completion?.type === 'ok');
  const { stale, latencies } = staleness(acked, reads);
  const latency = spread(latencies);
  const served = new Set(history.filter((op) => op.process !== 'nemesis' && op.type === 'invoke' && op.node !== undefined).map((op) => op.node as string));
  const unread = [...served].filter((n) => !finals.some((r) => r.invoke.node === n)).sort();
  const stats = {
    ...judged.stats,
    reads: reads.length - finals.length,
    'stale-reads': stale,
    ...(latency && { 'stable-latency-median-ms': latency.median, 'stable-latency-p95-ms': latency.p95, 'stable-latency-max-ms': latency.max }),
  };
  const latencyText = latency ? `; stable latency median ${latency.median} ms, p95 ${latency.p95} ms, max ${latency.max} ms; ${stale} stale reads` : '';
  if (strays.length > 0) {
    const r = strays[0] as Read;
    const value = [...r.values].find((v) => !sent.has(v));
    const anomaly = {
      kind: 'unexpected',
      summary: `the read op #${r.invoke.index} returned ${value}, which nobody broadcast`,
      ops: [r.invoke, r.completion],
      explanation: `The read R = op #${r.invoke.index} returned ${value}, but no operation of the history ever broadcast ${value}.`,
    };
    return { valid: false, summary: `${strays.length} reads returned values nobody broadcast; ${judged.summary}`, anomalies: [anomaly, ...(judged.anomalies ?? [])], stats };
  }
  if (judged.valid === true && unread.length > 0) return { valid: 'unknown', summary: `${judged.summary}, but node${unread.length > 1 ? 's' : ''} ${unread.join(', ')} had no final read`, stats };
  return { ...judged, summary: `${judged.summary}${latencyText}`, stats };
}
