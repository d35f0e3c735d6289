/**
 * The clock-offset guard of read-mode `lease`. Leases are only sound while the nodes' clocks stay
 * within a bounded offset of each other, so systems that rely on clocks refuse peers whose clocks
 * are too far off (CockroachDB's `--max-offset`, hybrid-logical-clock rejection of remote
 * timestamps too far ahead). Every Raft message carries its sender's wall clock (`sentAt`,
 * `Clock.now()`); with the guard on, a node drops any message whose stamp differs from its own
 * clock by more than `maxClockOffsetMs`, and logs when a peer goes out of bounds and when it comes
 * back (once each, not per message).
 *
 * So a node whose clock is skewed is cut off from the others, which elect a leader among
 * themselves. That keeps a skewed follower harmless, but not a skewed leader: its lease and its
 * check-quorum run on its own clock, and if that clock went back it keeps believing in its lease
 * while the others elect a new leader and take writes. Those are the stale lease reads the clock
 * nemesis is meant to expose: the guard bounds the offset between peers, not a node's error
 * against true time.
 */
import type { RaftMessage } from './messages.js';
import type { RaftEnv } from './types.js';

export class ClockGuard {
  /** Peers whose latest message was refused. */
  private readonly refused = new Set<string>();

  constructor(
    private readonly maxOffsetMs: number,
    private readonly env: Pick<RaftEnv, 'wall' | 'log'>,
  ) {}

  /** Whether `m`'s clock stamp is within the max offset of this node's clock. */
  admits(m: RaftMessage): boolean {
    const offsetMs = m.sentAt - this.env.wall();
    const ok = Math.abs(offsetMs) <= this.maxOffsetMs;
    if (ok === this.refused.has(m.from)) {
      const fields = { peer: m.from, offsetMs: Math.round(offsetMs), maxOffsetMs: this.maxOffsetMs };
      if (ok) {
        this.refused.delete(m.from);
        this.env.log('info', 'peer clock back within the max offset; accepting its messages', fields);
      } else {
        this.refused.add(m.from);
        this.env.log('warn', 'peer clock beyond the max offset; dropping its messages', fields);
      }
    }
    return ok;
  }
}
