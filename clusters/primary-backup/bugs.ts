/**
 * The known bugs of primary-backup, switched on with `--bug NAME`. Each is a classic mistake of
 * primary-backup replication; the last words of each description name the nemesis meant to
 * expose it.
 */
import { BugSet } from '../../src/node/bugs.js';

export const BUGS = {
  'no-epoch-check':
    'the primary does not compare the epoch of what it receives with its own: acknowledgements ' +
    'count whatever epoch the backup is in (also for confirming reads and for its quorum ' +
    'contact), and messages of a newer epoch do not make it step down, so an old primary keeps ' +
    'serving reads and acknowledging writes nobody stores once a partition lets a backup follow ' +
    'a newer primary while it still hears the old one (majorities ring, bridge) and after the ' +
    'partition heals (partition)',
  'ack-before-persist':
    'nodes acknowledge proposals (the primary counts its own copy at once) before writing them: ' +
    'the log is written out in the background once a second, so killing the nodes that hold a ' +
    'committed write before that loses it; killing all nodes at once exposes it (kill)',
} as const satisfies Record<string, string>;

export type BugName = keyof typeof BUGS;

export class Bugs extends BugSet<BugName> {
  constructor(names: readonly string[] = []) {
    super('primary-backup', BUGS, names);
  }
}
