/**
 * `register`: read, write and compare-and-set on independent keys (Jepsen's "independent"
 * linearizable register). Small values give cas a real chance to succeed. Each thread works on
 * a window of a few keys and moves to fresh keys after a while, so every key's history stays
 * small enough to check exhaustively, while keys are checked independently.
 */
import type { Invocation } from '../src/api/client.js';
import type { WorkloadDef } from '../src/api/workload.js';
import { linearizable } from '../checkers/linearizable/index.js';

/** Values are drawn from 0..VALUES-1. */
const VALUES = 5;

export const register: WorkloadDef = {
  name: 'register',
  description: 'read / write / cas on independent keys; checked for linearizability',
  build: ({ keyCount, opsPerKey }) => ({
    generator: ({ rng }) => {
      let done = 0;
      return (): Invocation => {
        const window = Math.floor(done / opsPerKey);
        done++;
        const key = String(window * keyCount + rng.int(keyCount));
        const roll = rng.float();
        if (roll < 0.4) return { f: 'read', key, value: null };
        if (roll < 0.7) return { f: 'write', key, value: rng.int(VALUES) };
        return { f: 'cas', key, value: [rng.int(VALUES), rng.int(VALUES)] };
      };
    },
    checker: linearizable({ model: 'cas-register' }),
  }),
};
