/**
 * What a leader tracks for one term: each follower's replication progress, the heartbeat rounds
 * that confirm leadership (read-index) and the lease they establish (read-mode lease).
 *
 * Replication per follower is probe-then-stream: while probing (a new term, or after a
 * rejection) the leader sends one batch per heartbeat or reply until the follower's position is
 * known; once a batch succeeds it streams, sending new entries as soon as they are appended,
 * with at most `maxInflight` entries beyond what the follower acknowledged.
 */
import type { RaftConfig } from './config.js';
import type { RaftLog } from './log.js';
import type { AppendReply } from './messages.js';
import type { Send } from './types.js';

interface Progress {
  next: number;
  match: number;
  lastAck: number;
  ackSeq: number;
  probing: boolean;
}

export class Leadership {
  private readonly progress = new Map<string, Progress>();
  private seq = 0;
  /** Wall-clock send time of each heartbeat round not yet confirmed. */
  private readonly roundWall = new Map<number, number>();
  private leaseFrom = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly cfg: RaftConfig,
    peers: readonly string[],
    private readonly term: number,
    private readonly log: RaftLog,
    private readonly quorum: number,
    private readonly send: Send,
    private readonly commit: () => number,
    now: number,
  ) {
    for (const peer of peers) {
      this.progress.set(peer, { next: log.lastIndex + 1, match: 0, lastAck: now, ackSeq: 0, probing: true });
    }
  }

  /** The number of the latest heartbeat round. */
  get round(): number {
    return this.seq;
  }

  /** Start a heartbeat round: every follower gets an AppendEntries with the new round number. */
  broadcast(wall: number): void {
    this.seq++;
    this.roundWall.set(this.seq, wall);
    for (const peer of this.progress.keys()) this.sendAppend(peer, true);
    this.confirm();
  }

  /** Send freshly appended entries to the followers that are streaming. */
  flush(): void {
    for (const peer of this.progress.keys()) this.sendAppend(peer, false);
  }

  onReply(m: AppendReply, now: number): void {
    const p = this.progress.get(m.from);
    if (!p) return;
    p.lastAck = now;
    if (m.seq > p.ackSeq) {
      p.ackSeq = m.seq;
      this.confirm();
    }
    if (m.success) {
      if (m.match > p.match) p.match = m.match;
      p.next = Math.max(p.next, p.match + 1);
      p.probing = false;
      this.sendAppend(m.from, false);
      return;
    }
    // Fast backtracking: skip the follower's whole conflicting term at once.
    let next = m.conflictIndex ?? p.next - 1;
    if (m.conflictTerm !== undefined) {
      const last = this.log.lastIndexOfTerm(m.conflictTerm);
      if (last > 0) next = last + 1;
    }
    const before = p.next;
    p.next = Math.max(p.match + 1, Math.min(next, this.log.lastIndex + 1));
    p.probing = true;
    // Probe again at once only when backtracking moved; a rejection that teaches nothing (a
    // stale one, or a follower that lost entries it had acknowledged) waits for the heartbeat.
    if (p.next < before) this.sendAppend(m.from, true);
  }

  /** The highest index stored on at least `need` nodes (the leader counts with its whole log). */
  matchedBy(need: number): number {
    const matches = [this.log.lastIndex, ...[...this.progress.values()].map((p) => p.match)];
    matches.sort((a, b) => b - a);
    return matches[need - 1] ?? 0;
  }

  /** The latest round a majority has acknowledged (the leader acknowledges its own at once). */
  confirmedRound(): number {
    const seqs = [this.seq, ...[...this.progress.values()].map((p) => p.ackSeq)].sort((a, b) => b - a);
    return seqs[this.quorum - 1]!;
  }

  /** Wall time (this node's clock) at which the latest confirmed round was sent. */
  leaseStart(): number {
    return this.leaseFrom;
  }

  /** Has a majority (counting the leader) acknowledged anything within `windowMs`? */
  hasContact(now: number, windowMs: number): boolean {
    let n = 1;
    for (const p of this.progress.values()) if (p.lastAck >= now - windowMs) n++;
    return n >= this.quorum;
  }

  private confirm(): void {
    const confirmed = this.confirmedRound();
    const sent = this.roundWall.get(confirmed);
    // The lease only ever grows: a clock that jumped back (or a forward skew undone) leaves
    // leaseFrom ahead of the clock, stretching the lease by the size of the jump.
    if (sent !== undefined && sent > this.leaseFrom) this.leaseFrom = sent;
    for (const s of this.roundWall.keys()) {
      if (s >= confirmed) break;
      this.roundWall.delete(s);
    }
  }

  /** Send the follower what it lacks; `force` sends even an empty heartbeat or a probe. */
  private sendAppend(peer: string, force: boolean): void {
    const p = this.progress.get(peer)!;
    const last = this.log.lastIndex;
    if (!force && (p.probing || p.next > last || p.next - p.match - 1 >= this.cfg.maxInflight)) return;
    const upTo = Math.min(last, p.next + this.cfg.maxBatch - 1);
    const prevIndex = p.next - 1;
    this.send(peer, {
      type: 'append',
      term: this.term,
      prevIndex,
      prevTerm: this.log.term(prevIndex) ?? 0,
      entries: this.log.slice(p.next, upTo),
      commit: this.commit(),
      seq: this.seq,
    });
    if (!p.probing) p.next = upTo + 1;
  }
}
