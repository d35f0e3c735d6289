/**
 * `register`: read, write and compare-and-set on independent keys (Jepsen's "independent"
 * linearizable register), checked for linearizability per key, plus `stats`. Small values give
 * cas a real chance to succeed. Each thread works on a window of a few keys and moves to fresh
 * keys after a while, so every key's history stays small enough to check exhaustively, while
 * keys are checked independently.
 */
import type { Invocation } from '../src/api/client.js';
import type { GenContext, GenStep, Generator } from '../src/api/generator.js';
import type { WorkloadDef } from '../src/api/workload.js';
import { linearizable } from '../checkers/linearizable/index.js';
import { stats } from '../checkers/stats.js';

/** Values are drawn from 0..VALUES-1. */
const VALUES = 5;

/** One thread's operations; `done` counts them, to move to fresh keys every `opsPerKey`. */
class RegisterOps implements Generator {
  constructor(
    private readonly keyCount: number,
    private readonly opsPerKey: number,
    private readonly done = 0,
  ) {}

  op({ rng }: GenContext): GenStep {
    const window = Math.floor(this.done / this.opsPerKey);
    const key = String(window * this.keyCount + rng.int(this.keyCount));
    const roll = rng.float();
    let op: Invocation;
    if (roll < 0.4) op = { f: 'read', key, value: null };
    else if (roll < 0.7) op = { f: 'write', key, value: rng.int(VALUES) };
    else op = { f: 'cas', key, value: [rng.int(VALUES), rng.int(VALUES)] };
    return { op, gen: new RegisterOps(this.keyCount, this.opsPerKey, this.done + 1) };
  }

  update(): Generator {
    return this;
  }
}

export const register: WorkloadDef = {
  name: 'register',
  description: 'read / write / cas on independent keys; checked for linearizability (and stats)',
  build: ({ keyCount, opsPerKey }) => ({
    generator: new RegisterOps(keyCount, opsPerKey),
    checkers: { linearizable: linearizable({ model: 'cas-register' }), stats: stats() },
  }),
};
