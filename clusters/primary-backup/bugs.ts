/**
 * The known bugs of primary-backup, switched on with `--bug NAME`. Each is a classic mistake of
 * primary-backup replication, declared with the nemesis meant to expose it.
 */
import type { KnownBug } from '../../src/api/cluster.js';
import { bugSetFor, type BugSet } from '../../src/node/bugs.js';

export const BUGS = {
  'no-epoch-check': {
    describe:
      'the primary does not compare the epoch of what it receives with its own: acknowledgements ' +
      'count whatever epoch the backup is in (for commits and for confirming reads), messages of a ' +
      'newer epoch do not make it step down, and any backup that still answers keeps it going; an ' +
      'old primary cut off with a minority stays primary and, once the partition heals, counts the ' +
      "new primary's backups as its own: it acknowledges writes nobody stores and serves stale reads",
    // The cut must put the primary on the minority side: partition does in about half its windows.
    nemeses: ['partition-primary'],
  },
  'ack-before-persist': {
    describe:
      'nodes acknowledge proposals (the primary counts its own copy at once) before writing them: ' +
      'the log is written out in the background once a second, so killing the nodes that hold a ' +
      'committed write before that loses it; killing every node at once exposes it',
    nemeses: ['kill-all'],
  },
} as const satisfies Record<string, KnownBug>;

export type Bugs = BugSet<keyof typeof BUGS>;

/** The bugs switched on; unknown names are an error. */
export const bugSet = bugSetFor('primary-backup', BUGS);
