/**
 * Operation generators: a small typed version of Jepsen's generator protocol (jepsen.generator).
 *
 * A generator is a pure value with two methods. `op` asks for the next operation and returns it
 * with the generator that follows; `update` tells a generator how an operation it produced
 * ended, and returns the generator that follows. Nothing is mutated, so one value can start
 * every client thread, and a thread's generator can be replayed from any point.
 *
 * Unlike Jepsen, every client thread runs its own copy (one value per thread, no shared
 * generator state): threads never wait on one another, each draws from its own seeded random
 * stream (`ctx.rng`), so `--seed` reproduces every thread's choices, and the worker loop stays
 * as fast as a plain function call. Threads still coordinate through the context: the same
 * `time` (key windows shared in time), and `thread` / `threads` (Jepsen's `reserve`).
 *
 * Time comes only from `ctx.time` and randomness only from `ctx.rng`, so `simulate()`
 * (src/gen/simulate.ts) runs a generator with no cluster, on virtual time.
 */
import type { Invocation } from './client.js';
import type { Rng } from '../gen/rng.js';

/**
 * The phases of a run, in order: `setup` (initial keys, balances) before any fault, `main`
 * (with faults, then the heal and the recovery time), `final` (final reads after recovery,
 * Jepsen's final generator). The runner starts a phase once every thread finished the one
 * before.
 */
export type Phase = 'setup' | 'main' | 'final';

/** What a generator may know when it is asked: valid during the call only. */
export interface GenContext {
  /** Milliseconds since the workers started (the start of the first phase), monotonic. */
  readonly time: number;
  readonly phase: Phase;
  /** `time` at which the current phase began. */
  readonly phaseStart: number;
  /** This client thread, from 0. */
  readonly thread: number;
  /** Number of client threads (`--concurrency`). */
  readonly threads: number;
  /** The thread's current process; a thread continues as a fresh process after an `info`. */
  readonly process: number;
  /** The node this thread's client is bound to. */
  readonly node: string;
  readonly nodes: readonly string[];
  /** The thread's seeded random stream for this phase: the only source of randomness. */
  readonly rng: Rng;
}

/** How an operation ended, as `update` sees it. */
export interface GenEvent {
  type: 'ok' | 'fail' | 'info';
  /** The operation as the generator produced it. */
  invocation: Invocation;
  /** The completion's value: a read's result; for writes, the argument echoed. */
  value: unknown;
  error?: string;
}

/**
 * The answer to `op`:
 * - `{ op, gen }`: invoke `op` now; `gen` follows (and gets the completion through `update`);
 * - `{ waitUntil, gen }`: nothing before `ctx.time` reaches `waitUntil`; ask `gen` then
 *   (Jepsen's `:pending`, with the time to ask again, since only time can change a thread's view);
 * - `null`: nothing more in this phase.
 */
export type GenStep = { op: Invocation; gen: Generator } | { waitUntil: number; gen: Generator } | null;

export interface Generator {
  op(ctx: GenContext): GenStep;
  update(ctx: GenContext, event: GenEvent): Generator;
}
