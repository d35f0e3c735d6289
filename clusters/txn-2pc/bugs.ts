/**
 * The known bugs of txn-2pc, switched on with `--bug NAME`. Each is a mistake real two-phase
 * commit implementations have shipped with, declared with the nemeses that expose it (README.md
 * says how often in practice).
 */
import type { KnownBug } from '../../src/api/cluster.js';
import { bugSetFor, type BugSet } from '../../src/node/bugs.js';

export const BUGS = {
  'read-uncommitted': {
    describe:
    'participants serve reads without taking or respecting locks, and a read of a key a prepared ' +
    'transaction appends to includes that prepared, uncommitted append; when the writer then ' +
    'aborts (another participant voted no) the reader saw a write that never happened (G1a), and ' +
    'when it commits the reader may see it out of order (G1c, G-single); contention shows it, and partitions make writers abort',
    nemeses: ['partition'],
  },
  'commit-before-all-prepared': {
    describe:
    'the coordinator decides commit as soon as a majority of the participants voted yes, ' +
    'overruling the others: a participant that refused (a lock conflict) or never answered ' +
    'leaves its share of a committed transaction unapplied, and its reads were taken without ' +
    'locks (G-single, G1c, lost appends)',
    nemeses: ['partition'],
  },
  'no-coordinator-log': {
    describe:
    'the coordinator keeps its commit decisions in memory only and answers the client before ' +
    'anything is on disk; after it restarts, participants still in doubt ask it, hear "abort" ' +
    '(presumed abort), and drop their share of transactions other participants committed and the ' +
    'client saw succeed (lost appends, G-single); the silent-crash nemesis mutes the coordinator with the most ' +
    'transactions collecting votes (the primary), so the decisions it then makes reach nobody, and kills it',
    nemeses: ['silent-crash'],
  },
} as const satisfies Record<string, KnownBug>;

export type Bugs = BugSet<keyof typeof BUGS>;

/** The bugs switched on; unknown names are an error. */
export const bugSet = bugSetFor('txn-2pc', BUGS);
