/**
 * What a primary holds for its epoch: each backup's progress (synced to this epoch's history or
 * not, how far it acknowledged, what to send it next) and the heartbeat rounds that confirm its
 * reads and its contact with a majority (src/node/kv/rounds.ts).
 */
import { Rounds } from '../../src/node/kv/rounds.js';

export interface Backup {
  /** Has it synced with this epoch's history (acknowledged the NEWLEADER sync)? */
  synced: boolean;
  /** The last index it acknowledged holding. */
  match: number;
  /** The next index to send it. */
  next: number;
  /** Its commit point, as it last said: the base of a sync (everything up to it agrees with us). */
  commit: number;
  /** When a sync was last sent to it. */
  syncAt: number;
}

export class Primacy {
  readonly rounds: Rounds;
  readonly backups = new Map<string, Backup>();

  constructor(
    readonly epoch: number,
    peers: readonly string[],
    private readonly quorum: number,
    /** The last index of the history this primary started its epoch with. */
    readonly initialLast: number,
    now: number,
  ) {
    this.rounds = new Rounds(peers, quorum, now);
    for (const peer of peers) this.backups.set(peer, { synced: false, match: 0, next: initialLast + 1, commit: 0, syncAt: Number.NEGATIVE_INFINITY });
  }

  /**
   * The highest index a majority holds in this epoch's history (the primary counting its own
   * `last`), or 0 while fewer than a majority synced: nothing commits before the new history is
   * on a majority.
   */
  commitPoint(last: number): number {
    const matches = [last, ...[...this.backups.values()].filter((b) => b.synced).map((b) => b.match)].sort((a, b) => b - a);
    const point = matches[this.quorum - 1] ?? 0;
    return point >= this.initialLast ? point : 0;
  }
}
