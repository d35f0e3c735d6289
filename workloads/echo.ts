/**
 * `echo` (Maelstrom's echo workload): every thread sends its node a value and expects the same
 * value back; checkers `echo` and `stats`. The first thing to run a new node with.
 */
import type { Invocation } from '../src/api/client.js';
import type { WorkloadDef } from '../src/api/workload.js';
import { repeat } from '../src/gen/combinators.js';
import { echo as echoChecker } from '../checkers/echo.js';
import { stats } from '../checkers/stats.js';

export const echo: WorkloadDef = {
  name: 'echo',
  description: "send a value, expect it back (Maelstrom's echo); checked that every echo returned what it sent (and stats)",
  build: () => ({
    generator: repeat((g): Invocation => ({ f: 'echo', value: `please echo ${g.rng.int(1_000_000)}` })),
    checkers: { echo: echoChecker(), stats: stats() },
  }),
};
