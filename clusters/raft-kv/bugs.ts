/**
 * The known bugs of raft-kv, switched on with `--bug NAME`. Each one is a realistic mistake that
 * a Raft implementation ships with, and each one can lose linearizability under the nemeses it
 * declares (README.md says how often in practice).
 */
import type { KnownBug } from '../../src/api/cluster.js';
import { bugSetFor, type BugSet } from '../../src/node/bugs.js';

export const BUGS = {
  'stale-read': {
    describe:
      'the leader answers reads from its local state without confirming it still leads (and, like ' +
      'implementations without check-quorum, never steps down on its own); a deposed leader cut off ' +
      'in a minority partition serves stale values; cutting off the leader exposes it',
    nemeses: ['partition-primary'],
  },
  'no-fsync-vote': {
    describe:
      'currentTerm and votedFor are kept in memory only; a restarted node takes its term from its ' +
      'last log entry and forgets its vote, so it can vote twice in a term and elect two leaders; ' +
      "a kill -9 landing between a vote and the winner's first append, while the winner is cut off " +
      'from the restarted voters, exposes it: election-crash aims at that moment',
    nemeses: ['election-crash'],
  },
  'commit-without-majority': {
    describe:
      'off-by-one commit quorum (floor(n/2) copies including the leader) and no check-quorum: a ' +
      'leader cut off with a minority commits and acknowledges writes the majority later overwrites',
    nemeses: ['partition-primary'],
  },
  'no-log-recovery': {
    describe:
      'a restarted node forgets its log (starts empty, keeps term and vote); killing every node at ' +
      'once loses every acknowledged write, and after smaller kills the leader still counts what a ' +
      'restarted node had acknowledged, so it stays empty, and once the nodes still holding the data ' +
      'are killed or cut off, an empty node is elected and acknowledged writes vanish; killing every ' +
      'node at once exposes it',
    nemeses: ['kill-all'],
  },
} as const satisfies Record<string, KnownBug>;

export type Bugs = BugSet<keyof typeof BUGS>;

/** The bugs switched on; unknown names are an error. */
export const bugSet = bugSetFor('raft-kv', BUGS);
