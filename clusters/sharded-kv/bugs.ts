/**
 * The known bugs of sharded-kv, switched on with `--bug NAME`. Each one is a realistic mistake a
 * sharded store on Raft ships with, and each one can lose linearizability under the nemeses it
 * declares (README.md says how often in practice).
 */
import type { KnownBug } from '../../src/api/cluster.js';
import { bugSetFor, type BugSet } from '../../src/node/bugs.js';

export const BUGS = {
  'stale-read': {
    describe:
      "a shard's leader answers reads from its local state without confirming it still leads (and, like " +
      'implementations without check-quorum, never steps down on its own); a deposed shard leader cut ' +
      "off in a minority keeps serving stale values of its shard to the clients on its side; cutting off " +
      "shard 0's leader (the primary) exposes it",
    nemeses: ['partition-primary'],
  },
  'local-read': {
    describe:
      'a node answers reads of keys whose shard it holds a replica of from that replica, leader or not, ' +
      'to save the hop to the leader (a follower read without a read index); a replica cut off from its ' +
      "shard's leader, or merely behind it, serves values the majority has overwritten; partitions expose it",
    nemeses: ['partition'],
  },
} as const satisfies Record<string, KnownBug>;

export type Bugs = BugSet<keyof typeof BUGS>;

/** The bugs switched on; unknown names are an error. */
export const bugSet = bugSetFor('sharded-kv', BUGS);
