/**
 * Run a generator with no cluster, on virtual time (Jepsen's generator/test.clj `simulate`):
 * every thread asks its copy of the generator for operations, each operation completes after a
 * latency the caller chooses, and the result is the history the runner would have recorded.
 * Generators are then unit- and property-tested (with fast-check) in milliseconds.
 *
 * It keeps the runner's rules (./thread-rules.ts): each thread's random stream is the one the
 * runner gives it, operations are paced `gapMs` apart per thread, a thread continues as a fresh
 * process after an `info`, and a phase ends when every thread's generator is exhausted.
 */
import type { Invocation } from '../api/client.js';
import type { GenContext, GenEvent, Generator, Phase } from '../api/generator.js';
import { Rng } from './rng.js';
import { MIN_WAIT_MS, threadRng } from './thread-rules.js';

/** How a simulated operation ends, and after how many milliseconds. */
export interface SimCompletion {
  type: GenEvent['type'];
  /** Defaults to the invocation's value. */
  value?: unknown;
  error?: string;
  latencyMs: number;
}

export interface SimulateOptions {
  threads: number;
  /** Nodes threads are bound to, `thread % nodes.length`; default one per thread. */
  nodes?: readonly string[];
  seed: number;
  phase?: Phase;
  /** Virtual time the phase starts at, in ms. Default 0. */
  startMs?: number;
  /** No operation starts at or after this time (the runner's stop); default: until exhausted. */
  untilMs?: number;
  /** Milliseconds from one operation's start to the next on a thread, at least. Default 0. */
  gapMs?: number;
  /** How each operation ends; default `ok` with the invocation's value after 1 ms. */
  complete?: (op: Invocation, ctx: GenContext, rng: Rng) => SimCompletion;
  /** Refuse to run past this many operations (a generator that never ends). Default 100 000. */
  maxOps?: number;
}

/** One recorded event of a simulated run. */
export interface SimOp {
  time: number;
  type: 'invoke' | GenEvent['type'];
  thread: number;
  process: number;
  f: string;
  key?: string;
  value: unknown;
  error?: string;
}

interface SimThread {
  thread: number;
  process: number;
  gen: Generator;
  /** When the thread next asks its generator. */
  at: number;
  rng: Rng;
}

/** Run `gen` on `opts.threads` threads; the history in time order (ties by thread). */
export function simulate(gen: Generator, opts: SimulateOptions): SimOp[] {
  const phase = opts.phase ?? 'main';
  const start = opts.startMs ?? 0;
  const nodes = opts.nodes ?? Array.from({ length: opts.threads }, (_, i) => `n${i + 1}`);
  const complete = opts.complete ?? ((op: Invocation): SimCompletion => ({ type: 'ok', value: op.value, latencyMs: 1 }));
  const latencyRng = Rng.derive(opts.seed, 'simulate-latency');
  const maxOps = opts.maxOps ?? 100_000;
  const threads: SimThread[] = Array.from({ length: opts.threads }, (_, thread) => ({ thread, process: thread, gen, at: start, rng: threadRng(opts.seed, phase, thread) }));
  const out: SimOp[] = [];
  const ctxOf = (t: SimThread, time: number): GenContext => ({
    time,
    phase,
    phaseStart: start,
    thread: t.thread,
    threads: opts.threads,
    process: t.process,
    node: nodes[t.thread % nodes.length] as string,
    nodes,
    rng: t.rng,
  });
  let live = [...threads];
  while (live.length > 0) {
    // The thread due first acts next; ties go to the lower thread, so runs are deterministic.
    const t = live.reduce((a, b) => (b.at < a.at ? b : a));
    if (opts.untilMs !== undefined && t.at >= opts.untilMs) break;
    const step = t.gen.op(ctxOf(t, t.at));
    if (step === null) {
      live = live.filter((x) => x !== t);
      continue;
    }
    t.gen = step.gen;
    if (!('op' in step)) {
      t.at = Math.max(step.waitUntil, t.at + MIN_WAIT_MS);
      continue;
    }
    if (out.length >= 2 * maxOps) throw new Error(`simulate: more than ${maxOps} operations; does the generator ever end?`);
    const invoked = t.at;
    const op = step.op;
    const keyed = op.key !== undefined ? { key: op.key } : {};
    out.push({ time: invoked, type: 'invoke', thread: t.thread, process: t.process, f: op.f, ...keyed, value: op.value });
    const ctx = ctxOf(t, invoked);
    const done = complete(op, ctx, latencyRng);
    const value = done.value === undefined ? op.value : done.value;
    const finished = invoked + done.latencyMs;
    out.push({ time: finished, type: done.type, thread: t.thread, process: t.process, f: op.f, ...keyed, value, ...(done.error !== undefined && { error: done.error }) });
    const event: GenEvent = { type: done.type, invocation: op, value, ...(done.error !== undefined && { error: done.error }) };
    t.gen = t.gen.update({ ...ctx, time: finished }, event);
    if (done.type === 'info') t.process += opts.threads;
    t.at = Math.max(finished, invoked + (opts.gapMs ?? 0));
  }
  return out.sort((a, b) => a.time - b.time || a.thread - b.thread);
}
