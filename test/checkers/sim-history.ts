/**
 * Simulated client histories of a register, shaped like Jepsen's: `processes` clients, each
 * running one operation at a time with random latency, a random linearization point inside
 * each operation, and timeouts that end in `info` and retire the process number. Linearizable
 * by construction; `corruptReads` then alters some read results.
 */
import type { Op } from '../../src/api/op.js';
import { Rng } from '../../src/gen/rng.js';

/** Shape of a simulated history. */
export interface SimOptions {
  processes: number;
  ops: number;
  /** Values are 0..values-1. */
  values: number;
  /** Probability that an operation times out (its outcome becomes unknown). */
  infoRate: number;
  seed: number;
}

/** Simulate a register history (reads, writes, cas) as described above. */
export function simulateRegister(o: SimOptions): Op[] {
  const rng = new Rng(o.seed);
  interface Running {
    proc: number;
    f: string;
    value: unknown;
    start: number;
    lin: number;
    end: number;
    info: boolean;
  }
  const events: { t: number; op: Omit<Op, 'index' | 'time'> }[] = [];
  const running: Running[] = [];
  let nextProc = o.processes;
  let started = 0;
  const startOp = (proc: number, at: number): void => {
    if (started >= o.ops) return;
    started++;
    const roll = rng.float();
    const f = roll < 0.4 ? 'read' : roll < 0.7 ? 'write' : 'cas';
    const value = f === 'read' ? null : f === 'write' ? rng.int(o.values) : [rng.int(o.values), rng.int(o.values)];
    const dur = 1 + rng.int(100) * (rng.float() < 0.1 ? 5 : 1);
    const start = at + rng.float();
    const lin = start + rng.float() * dur;
    running.push({ proc, f, value, start, lin, end: start + dur, info: rng.float() < o.infoRate });
    events.push({ t: start, op: { type: 'invoke', process: proc, f, value } });
  };
  for (let p = 0; p < o.processes; p++) startOp(p, rng.float() * 10);
  // Apply operations at their linearization points, in order.
  let state: unknown = null;
  while (running.length > 0) {
    running.sort((a, b) => a.lin - b.lin);
    const r = running.shift()!;
    let type: Op['type'] = 'ok';
    let out: unknown = r.value;
    if (r.f === 'read') out = state;
    else if (r.f === 'write') state = r.value;
    else {
      const [e, n] = r.value as [number, number];
      if (state === e) state = n;
      else type = 'fail';
    }
    if (r.info) {
      // Timed out: the client learns nothing; the process is retired.
      events.push({ t: r.end, op: { type: 'info', process: r.proc, f: r.f, value: null, error: 'timeout' } });
      startOp(nextProc++, r.end + rng.float() * 5);
    } else {
      events.push({ t: r.end, op: { type: r.f === 'read' && type === 'ok' ? 'ok' : type, process: r.proc, f: r.f, value: out } });
      startOp(r.proc, r.end + rng.float() * 5);
    }
  }
  events.sort((a, b) => a.t - b.t);
  return events.map((e, index) => ({ ...e.op, index, time: Math.round(e.t * 1000) }));
}

/**
 * Change the result of `count` random successful reads: to a value nobody wrote (-1), or when
 * `values` is given, to a random value in 0..values-1 (often a stale one).
 */
export function corruptReads(history: readonly Op[], count: number, seed: number, values?: number): Op[] {
  const rng = new Rng(seed);
  const reads = history.filter((op) => op.type === 'ok' && op.f === 'read').map((op) => op.index);
  const out = history.map((op) => ({ ...op }));
  for (let i = 0; i < count && reads.length > 0; i++) {
    out[reads[rng.int(reads.length)]!]!.value = values === undefined ? -1 : rng.int(values);
  }
  return out;
}
