/**
 * Seeded histories of a well-behaved compare-and-set register, of any size and concurrency,
 * for the checker's scaling benchmark and its smoke test.
 *
 * Why built this way: a history is linearizable by construction when every operation takes
 * effect at one instant inside its real-time interval and the outputs are those of a
 * sequential register applied in the order of those instants. So each process runs its
 * operations one after another with random latencies (which makes the intervals of different
 * processes overlap), each operation gets a linearization point inside its interval, the
 * register is run in the order of those points, and the invocations and completions are laid
 * out in real time. A few writes and cas time out as `info` (whether they took effect is a coin
 * flip); the process then continues under a new number, as a Jepsen client thread does.
 */
import type { Op, OpType } from '../src/api/op.js';
import { Rng } from '../src/gen/rng.js';

/** What to generate. */
export interface RegisterHistoryOptions {
  /** Client operations (each gives an invocation and a completion). */
  ops: number;
  /** Client threads, all running at once. */
  processes: number;
  /** Seed of every choice. */
  seed: number;
  /**
   * Keys in use at once; `1` (the default) is a single register. With more, each thread picks
   * among `keys` keys of the current window and windows move on so that each key sees about
   * `opsPerKey` operations, as the `register` workload does.
   */
  keys?: number;
  /** Operations per key over its window (keyed histories only). Default 200. */
  opsPerKey?: number;
  /** Values are drawn from 0..values-1. Default 5, as Jepsen's cas-register. */
  values?: number;
  /** Chance that a write or cas times out and is recorded as `info`. Default 0.005. */
  infoRate?: number;
}

/** Latency of one operation, uniform in [MIN, MAX] nanoseconds (bench/txn-sim.ts uses them too). */
export const LATENCY_MIN_NS = 100_000;
export const LATENCY_MAX_NS = 2_000_000;
/** Think time between a completion and the thread's next invocation. */
export const THINK_MAX_NS = 100_000;

/** One planned operation: its interval, its linearization point and, once run, its result. */
interface Planned {
  process: number;
  f: 'read' | 'write' | 'cas';
  key: string | undefined;
  input: unknown;
  invokeNs: number;
  pointNs: number;
  completeNs: number;
  /** An `info` write or cas: `true` if it took effect anyway. */
  timedOut: boolean;
  tookEffect: boolean;
  type: OpType;
  output: unknown;
}

/**
 * A linearizable read / write / cas history of `opts.ops` operations by `opts.processes`
 * concurrent threads, the same for the same options.
 */
export function generateRegisterHistory(opts: RegisterHistoryOptions): Op[] {
  const planned = plan(opts);
  runRegister(planned);
  return layOut(planned);
}

function plan(opts: RegisterHistoryOptions): Planned[] {
  const keys = opts.keys ?? 1;
  const values = opts.values ?? 5;
  const infoRate = opts.infoRate ?? 0.005;
  const meanCycleNs = (LATENCY_MIN_NS + LATENCY_MAX_NS + THINK_MAX_NS) / 2;
  // All threads together finish about processes / meanCycle operations per nanosecond.
  const windowNs = ((opts.opsPerKey ?? 200) * keys * meanCycleNs) / opts.processes;
  const out: Planned[] = [];
  for (let thread = 0; thread < opts.processes; thread++) {
    const rng = Rng.derive(opts.seed, `register-thread-${thread}`);
    const count = Math.floor(opts.ops / opts.processes) + (thread < opts.ops % opts.processes ? 1 : 0);
    let process = thread;
    let t = rng.int(THINK_MAX_NS);
    for (let i = 0; i < count; i++) {
      const roll = rng.float();
      const f = roll < 0.4 ? 'read' : roll < 0.7 ? 'write' : 'cas';
      const input = f === 'read' ? null : f === 'write' ? rng.int(values) : [rng.int(values), rng.int(values)];
      const latency = LATENCY_MIN_NS + rng.int(LATENCY_MAX_NS - LATENCY_MIN_NS);
      const key = keys > 1 ? String(Math.floor(t / windowNs) * keys + rng.int(keys)) : undefined;
      const timedOut = f !== 'read' && rng.float() < infoRate;
      out.push({
        process,
        f,
        key,
        input,
        invokeNs: t,
        pointNs: t + 1 + rng.int(latency - 1),
        completeNs: t + latency,
        timedOut,
        tookEffect: !timedOut || rng.float() < 0.5,
        type: 'ok',
        output: input,
      });
      t += latency + 1 + rng.int(THINK_MAX_NS);
      if (timedOut) process += opts.processes;
    }
  }
  return out;
}

/** Run a register per key in the order of the linearization points; fill in every result. */
function runRegister(planned: Planned[]): void {
  const state = new Map<string | undefined, number | null>();
  const order = [...planned].sort((a, b) => a.pointNs - b.pointNs);
  for (const p of order) {
    const current = state.get(p.key) ?? null;
    if (p.f === 'read') p.output = current;
    else if (p.f === 'write') {
      if (p.tookEffect) state.set(p.key, p.input as number);
    } else {
      const [expected, next] = p.input as [number, number];
      if (current !== expected) p.tookEffect = false;
      if (p.tookEffect) state.set(p.key, next);
      else if (!p.timedOut) p.type = 'fail';
    }
    if (p.timedOut) p.type = 'info';
  }
}

/** Invocations and completions in real time, numbered. */
function layOut(planned: readonly Planned[]): Op[] {
  const ops: Op[] = [];
  for (const p of planned) {
    ops.push(op(p, 'invoke', p.invokeNs, p.input));
    const done = op(p, p.type, p.completeNs, p.output);
    if (p.type === 'info') done.error = 'indeterminate: timed out';
    ops.push(done);
  }
  // A thread's next invocation is always at least 1 ns after its completion, so no ties matter.
  ops.sort((a, b) => a.time - b.time);
  for (let i = 0; i < ops.length; i++) (ops[i] as Op).index = i;
  return ops;
}

/** One event of `p`, its index to be set once the history is in time order. */
function op(p: Planned, type: OpType, time: number, value: unknown): Op {
  const out: Op = { index: 0, time, type, process: p.process, f: p.f, value };
  if (p.key !== undefined) out.key = p.key;
  return out;
}
