/**
 * `set` (Jepsen's set workload): every thread adds unique elements to a few sets shared by all of
 * them, then, after the heal and the recovery time, every thread reads every set once (so each set
 * is read through every node). Checked by the set checker (lost, unexpected, recovered elements)
 * and `stats`.
 *
 * Laid out to find bugs: all threads add to the same `--key-count` sets at once (element n of a
 * thread goes to set n mod key-count), so every add races with others on the same key and a
 * system that acknowledges an add and later drops it (a lost log, a deposed leader's commit)
 * shows in the final reads; elements are unique (thread + threads × n), so each one tells which
 * add it came from.
 */
import type { GenContext, GenStep, Generator } from '../src/api/generator.js';
import type { WorkloadDef } from '../src/api/workload.js';
import { fromContext, repeat, seq, sleep, timeLimit, untilOk } from '../src/gen/combinators.js';
import { set as setChecker } from '../checkers/set/index.js';
import { stats } from '../checkers/stats.js';
import { CONVERGE_MS } from './counter.js';

/** How long the final reads may take in all; reads still failing then are given up. */
const FINAL_READS_MS = 10_000;

/** The key of set `i`. */
export const setKey = (i: number): string => `set-${i}`;

/**
 * A thread's operations `f` of unique elements: its n-th element is `thread + threads × n`, so
 * each element tells which operation it came from; with `keyCount` > 0 it goes to set
 * `n mod keyCount`, without a key otherwise.
 */
class UniqueElements implements Generator {
  constructor(
    private readonly f: string,
    private readonly keyCount: number,
    private readonly n = 0,
  ) {}
  op(ctx: GenContext): GenStep {
    const value = ctx.thread + ctx.threads * this.n;
    const key = this.keyCount > 0 ? { key: setKey(this.n % this.keyCount) } : {};
    return { op: { f: this.f, ...key, value }, gen: new UniqueElements(this.f, this.keyCount, this.n + 1) };
  }
  update(): Generator {
    return this;
  }
}

/** Operations `f` of unique whole numbers, spread over `keyCount` sets (0: no key). */
export const uniqueElements = (f: string, keyCount = 0): Generator => new UniqueElements(f, keyCount);

export const set: WorkloadDef = {
  name: 'set',
  description: 'add unique elements to a few sets shared by every thread, then read every set through every node after the heal; checked for lost, unexpected and recovered elements (Jepsen\'s set)',
  options: {
    'set-reads': {
      describe:
        'when an acknowledged add must show: acknowledged (in every final read, even one made at once) or eventual (an eventually consistent set, ' +
        `as Maelstrom's g-set: the final reads wait ${CONVERGE_MS / 1000} s for the last adds to spread first)`,
      default: 'acknowledged',
      choices: ['acknowledged', 'eventual'],
    },
  },
  build(ctx) {
    const keys = Array.from({ length: ctx.keyCount }, (_, i) => setKey(i));
    // Each thread starts at its own set, so the first reads spread over the sets.
    const finalReads = fromContext((g) => seq(...keys.map((_, i) => keys[(i + g.thread) % keys.length] as string).map((key) => untilOk(repeat(() => ({ f: 'read', key, value: null }))))));
    return {
      generator: uniqueElements('add', ctx.keyCount),
      finalGenerator: ctx.options['set-reads'] === 'eventual' ? seq(sleep(CONVERGE_MS), timeLimit(FINAL_READS_MS, finalReads)) : timeLimit(FINAL_READS_MS, finalReads),
      checkers: { set: setChecker(), stats: stats() },
    };
  },
};
