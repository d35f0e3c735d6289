/**
 * The counter checker (Jepsen's counter test, with a convergence check): every ok read lies
 * within the bounds the adds allow (./bounds.ts), and the final reads after the heal, one through
 * every node, all agree. A read out of bounds is explained with the adds that decide its bound;
 * a divergence with the final reads that disagree.
 */
import type { Anomaly, CheckResult, Checker } from '../../src/api/checker.js';
import type { Op } from '../../src/api/op.js';
import { boundsOf, CounterFormatError, counterOps, type Bounds, type CounterAdd, type CounterRead } from './bounds.js';

/** Anomalies kept per kind; the count of all is in the stats. */
const KEEP = 8;
/** Adds named in one explanation. */
const NAMED_ADDS = 12;

/**
 * What the reads of the counter promise: `linearizable` (the default, Jepsen's counter) bounds
 * every read by the adds; `eventual` (Maelstrom's g-counter and pn-counter) lets a read before
 * the final phase miss any add, so only what may have been added bounds it, and holds the final
 * reads to every acknowledged add.
 */
export type CounterReads = 'linearizable' | 'eventual';

export function counter(reads: CounterReads = 'linearizable'): Checker {
  return { name: 'counter', check: async (history) => checkCounter(history, reads) };
}

export function checkCounter(history: readonly Op[], reads: CounterReads = 'linearizable'): CheckResult {
  let ops;
  try {
    ops = counterOps(history);
  } catch (err) {
    if (err instanceof CounterFormatError) return { valid: 'unknown', summary: `not a counter history: ${err.message}` };
    throw err;
  }
  const bounds = boundsOf(ops.adds, history.length, reads === 'eventual');
  const outOfBounds: Anomaly[] = [];
  let bad = 0;
  for (const read of ops.reads) {
    const b = bounds(read);
    if (typeof read.value === 'number' && read.value >= b.lower && read.value <= b.upper) continue;
    bad++;
    if (outOfBounds.length < KEEP) outOfBounds.push(boundsAnomaly(read, b, ops.adds));
  }
  const finals = ops.reads.filter((r) => r.final);
  const values = new Set(finals.map((r) => r.value));
  const divergence = values.size > 1 ? [divergenceAnomaly(finals)] : [];
  const anomalies = [...outOfBounds, ...divergence];
  const stats = { reads: ops.reads.length, adds: ops.adds.length, 'final-reads': finals.length, 'reads-out-of-bounds': bad };
  if (anomalies.length === 0) {
    const final = finals.length > 0 ? `; the ${finals.length} final reads all read ${String(finals[0]!.value)}` : '';
    return { valid: true, summary: `all ${ops.reads.length} reads lie within the bounds of ${ops.adds.length} adds${final}`, stats };
  }
  const parts = [bad > 0 ? `${bad} of ${ops.reads.length} reads lie outside the bounds the adds allow` : '', divergence.length > 0 ? `the final reads disagree (${[...values].map(String).join(', ')})` : ''];
  return { valid: false, summary: parts.filter(Boolean).join('; '), anomalies, stats };
}

const describeAdd = (a: CounterAdd): string => `op #${a.invoke.index} (add ${a.delta}, ${a.completion ? `${a.completion.type} at #${a.completion.index}` : 'never completed'})`;

function boundsAnomaly(read: CounterRead, b: Bounds, adds: readonly CounterAdd[]): Anomaly {
  const where = `op #${read.invoke.index} (process ${String(read.invoke.process)}${read.invoke.node ? ` on ${read.invoke.node}` : ''})`;
  const v = read.value;
  const high = typeof v === 'number' && v > b.upper;
  // The adds that decide the bound broken: those that may count (too high), or those that must (too low).
  const involved = adds.filter((a) =>
    high ? a.invoke.index < read.completion.index : a.completion?.type === 'ok' && a.completion.index < read.invoke.index,
  );
  const named = involved.slice(-NAMED_ADDS);
  const more = involved.length > named.length ? ` and ${involved.length - named.length} earlier ones` : '';
  const list = named.map(describeAdd).join(', ') + more;
  const explanation =
    typeof v !== 'number'
      ? `Let R = ${where}, a read that returned ${JSON.stringify(v)}, which is no number; it should lie in [${b.lower}, ${b.upper}].`
      : high
        ? `Let R = ${where}, which read ${v}. Only ${involved.length} adds were invoked (and did not fail) before R completed: ${list || 'none'}. ` +
          `Even if every one of them took effect, the counter is at most ${b.upper}, so R read ${v - b.upper} more than was ever added.`
        : `Let R = ${where}, which read ${v}. Before R began, ${involved.length} adds were acknowledged: ${list}. ` +
          `They bring the counter to at least ${b.lower}, so R lost ${b.lower - v} of acknowledged adds.`;
  return {
    kind: typeof v !== 'number' ? 'bad-read' : high ? 'read-too-high' : 'read-too-low',
    summary: `${where} read ${JSON.stringify(v)}, outside [${b.lower}, ${b.upper}]`,
    ops: [read.invoke, read.completion, ...named.flatMap((a) => (a.completion ? [a.invoke, a.completion] : [a.invoke]))].sort((x, y) => x.index - y.index),
    explanation,
  };
}

function divergenceAnomaly(finals: readonly CounterRead[]): Anomaly {
  const said = finals.map((r) => `${r.invoke.node ?? `process ${String(r.invoke.process)}`} read ${String(r.value)} (op #${r.invoke.index})`);
  return {
    kind: 'divergence',
    summary: `the final reads after the heal disagree: ${said.join(', ')}`,
    ops: finals.flatMap((r) => [r.invoke, r.completion]).sort((x, y) => x.index - y.index),
    explanation: `After the heal and the recovery time every node should have gossiped its state to every other, so all final reads should agree; instead ${said.join(', ')}.`,
  };
}
