/**
 * `register`: read, write and compare-and-set on independent keys (Jepsen's "independent"
 * linearizable register), checked for linearizability per key, plus `stats`.
 *
 * How it is laid out to find bugs, not only to exercise the system:
 * - Keys change in *time*, not per thread: at any moment every thread works on the same few
 *   keys (a key window), and all threads move to fresh keys together. Threads that are slowed
 *   down (a node that cannot commit, timeouts) do not drift onto keys nobody else touches, so
 *   what a stale or cut-off node answers is always compared with what the rest just did. A
 *   window lasts about `--ops-per-key` operations per thread at the requested rate (at least a
 *   second), so each key's history stays small enough to check exhaustively.
 * - Some threads only read (Jepsen's `reserve`), on every node that has more than one thread:
 *   a thread that writes through a node that cannot commit spends its time blocked until the
 *   write times out, while a reader bound to that node keeps asking it, which is where a stale
 *   answer shows. A node with a single thread has it read, write and cas, so every node still
 *   takes updates.
 * - A final phase after recovery reads every key of the run (the last `FINAL_WINDOWS` windows'
 *   keys) once through every node: keys are never written again once their window has passed,
 *   so an acknowledged write that vanished later (a node that lost its log) shows there.
 * Small values give cas a real chance to succeed.
 */
import type { Invocation } from '../src/api/client.js';
import type { GenContext } from '../src/api/generator.js';
import type { WorkloadContext, WorkloadDef } from '../src/api/workload.js';
import { fromContext, mix, repeat, seq, timeLimit, untilOk } from '../src/gen/combinators.js';
import { linearizable } from '../checkers/linearizable/index.js';
import { stats } from '../checkers/stats.js';

/** Values are drawn from 0..VALUES-1. */
const VALUES = 5;
/** The shortest key window: below it, at high rates, keys would change between two operations. */
export const MIN_WINDOW_MS = 1000;
/** How long the final reads may take in all; reads still failing then are given up. */
const FINAL_READS_MS = 10_000;
/** The final phase reads the keys of at most this many windows, the last ones. */
export const FINAL_WINDOWS = 32;

/** Milliseconds each key window lasts: `opsPerKey` operations per key per thread at the requested rate. */
export function keyWindowMs(ctx: Pick<WorkloadContext, 'keyCount' | 'opsPerKey' | 'concurrency' | 'rate'>): number {
  return Math.max(MIN_WINDOW_MS, (1000 * ctx.opsPerKey * ctx.keyCount * ctx.concurrency) / ctx.rate);
}

/** The keys of the window in force at `timeMs`: `keyCount` fresh keys per window. */
export function keysAt(timeMs: number, windowMs: number, keyCount: number): string[] {
  const window = Math.floor(Math.max(0, timeMs) / windowMs);
  return Array.from({ length: keyCount }, (_, i) => String(window * keyCount + i));
}

/** The keys the final phase reads when it starts at `timeMs`: those of the last `FINAL_WINDOWS` windows. */
export function finalKeys(timeMs: number, windowMs: number, keyCount: number): string[] {
  const last = Math.floor(Math.max(0, timeMs) / windowMs);
  const first = Math.max(0, last - FINAL_WINDOWS + 1);
  return Array.from({ length: (last - first + 1) * keyCount }, (_, i) => String(first * keyCount + i));
}

/**
 * How many of the `onNode` threads bound to one node only read: `share` of them (rounded down),
 * never all of them, so every node takes updates too.
 */
export function readersOnNode(onNode: number, share: number): number {
  return Math.max(0, Math.min(onNode - 1, Math.floor(onNode * share)));
}

/** A thread's role: `reader` (reads only), `updater` (write and cas), or `all` (a node's only non-reader with no reader beside it). */
export function roleOf(thread: number, threads: number, nodes: number, share: number): 'reader' | 'updater' | 'all' {
  const node = thread % nodes;
  const onNode = Math.ceil((threads - node) / nodes);
  const readers = readersOnNode(onNode, share);
  if (readers === 0) return 'all';
  return Math.floor(thread / nodes) < readers ? 'reader' : 'updater';
}

/**
 * This thread's share of `items` when every item is to be handled once through every node: the
 * threads bound to one node (`thread % nodes`) split the items between them.
 */
export function nodeShare<T>(g: Pick<GenContext, 'thread' | 'threads' | 'nodes'>, items: readonly T[]): T[] {
  const node = g.thread % g.nodes.length;
  const sharing = Math.ceil((g.threads - node) / g.nodes.length);
  return items.filter((_, i) => i % sharing === Math.floor(g.thread / g.nodes.length));
}

export const register: WorkloadDef = {
  name: 'register',
  description: 'read / write / cas on a few keys shared by every thread at a time, replaced in time; checked for linearizability (and stats)',
  options: {
    readers: {
      describe: 'share of each node\'s client threads that only read (Jepsen\'s reserve); the others write and cas; a thread alone on its node does all three',
      default: 0.5,
      min: 0,
      max: 1,
    },
  },
  build(ctx) {
    const windowMs = keyWindowMs(ctx);
    const keyCount = ctx.keyCount;
    // One of the keys of the window in force (keysAt), without building the list per operation.
    const key = (g: GenContext): string => String(Math.floor(Math.max(0, g.time) / windowMs) * keyCount + g.rng.int(keyCount));
    const read = repeat((g): Invocation => ({ f: 'read', key: key(g), value: null }));
    const write = repeat((g): Invocation => ({ f: 'write', key: key(g), value: g.rng.int(VALUES) }));
    const cas = repeat((g): Invocation => ({ f: 'cas', key: key(g), value: [g.rng.int(VALUES), g.rng.int(VALUES)] }));
    const roles = { reader: read, updater: mix([write, cas]), all: mix([read, write, cas], [4, 3, 3]) };
    const share = Number(ctx.options['readers']);
    const finalReads = fromContext((g) => {
      const mine = nodeShare(g, finalKeys(g.phaseStart, windowMs, keyCount));
      return timeLimit(FINAL_READS_MS, seq(...mine.map((k) => untilOk(repeat((): Invocation => ({ f: 'read', key: k, value: null }))))));
    });
    return {
      generator: fromContext((g) => roles[roleOf(g.thread, g.threads, g.nodes.length, share)]),
      finalGenerator: finalReads,
      checkers: { linearizable: linearizable({ model: 'cas-register' }), stats: stats() },
    };
  },
};
