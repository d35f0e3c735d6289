/**
 * `counter`: adds of small positive deltas and reads of one counter shared by every thread
 * (Jepsen's counter workload), checked by the counter checker (reads within the bounds of the
 * adds, final reads converged) and `stats`.
 *
 * Laid out to find bugs: every thread works on the one counter, so every read is compared with
 * everything every other thread just did, on every node; reads are half the operations so a
 * node that is cut off, or has just merged a returning peer's state, is read often. A final phase
 * after recovery reads the counter once through every node (`final-read`), until it answers, so
 * lost increments and replicas that never converge show there.
 */
import type { Invocation } from '../src/api/client.js';
import type { WorkloadDef } from '../src/api/workload.js';
import { mix, repeat, seq, sleep, timeLimit, untilOk } from '../src/gen/combinators.js';
import { counter as counterChecker } from '../checkers/counter/index.js';
import { stats } from '../checkers/stats.js';

/** How long the final reads may take in all; a read still failing then is given up. */
const FINAL_READS_MS = 10_000;
/**
 * With eventual reads, how long the final phase waits, with no operation, before it reads: the
 * adds of the main phase's last moments are still spreading when it begins (Maelstrom, too,
 * leaves time for convergence before its final reads).
 */
export const CONVERGE_MS = 2000;

export const counter: WorkloadDef = {
  name: 'counter',
  description: 'add (small positive deltas) and read on one counter shared by every thread; reads checked within the bounds of acknowledged and unknown adds, final reads through every node checked to converge',
  options: {
    'max-delta': { describe: 'adds draw their delta from 1..max-delta', default: 5, min: 1, max: 1_000_000, integer: true },
    'counter-reads': {
      describe:
        'what reads promise: linearizable (every read within the bounds of the adds), or eventual (an eventually consistent counter, ' +
        "as Maelstrom's g-counter and pn-counter: a read before the final phase may miss any add but never count one not yet invoked; final reads count every acknowledged add)",
      default: 'linearizable',
      choices: ['linearizable', 'eventual'],
    },
  },
  build(ctx) {
    const maxDelta = Number(ctx.options['max-delta']);
    const add = repeat((g): Invocation => ({ f: 'add', value: 1 + g.rng.int(maxDelta) }));
    const read = repeat((): Invocation => ({ f: 'read', value: null }));
    const eventual = ctx.options['counter-reads'] === 'eventual';
    const finalRead = timeLimit(FINAL_READS_MS, untilOk(repeat((): Invocation => ({ f: 'final-read', value: null }))));
    return {
      generator: mix([add, read]),
      finalGenerator: eventual ? seq(sleep(CONVERGE_MS), finalRead) : finalRead,
      checkers: { counter: counterChecker(eventual ? 'eventual' : 'linearizable'), stats: stats() },
    };
  },
};
