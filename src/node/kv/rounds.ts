/**
 * A leader's heartbeat rounds and its contact with the others. Each round has a number; a
 * follower's acknowledgement names the latest round it saw. A round acknowledged by a majority
 * (the leader counting itself) proves the leader still led when it sent it, so reads that arrived
 * before the round started may be served (read-index). A leader that heard no acknowledgement
 * from a majority for a while steps down (check-quorum).
 */
export class Rounds {
  private seq = 0;
  private readonly acks = new Map<string, { seq: number; at: number }>();

  constructor(
    peers: readonly string[],
    private readonly quorum: number,
    now: number,
  ) {
    for (const peer of peers) this.acks.set(peer, { seq: 0, at: now });
  }

  /** The number of the latest round. */
  get round(): number {
    return this.seq;
  }

  /** Start a round; returns its number. */
  next(): number {
    return ++this.seq;
  }

  /** `peer` acknowledged round `seq` at `now`. */
  ack(peer: string, seq: number, now: number): void {
    const a = this.acks.get(peer);
    if (!a) return;
    a.at = now;
    if (seq > a.seq) a.seq = Math.min(seq, this.seq);
  }

  /** The latest round a majority has acknowledged (the leader acknowledges its own at once). */
  confirmed(): number {
    const seqs = [this.seq, ...[...this.acks.values()].map((a) => a.seq)].sort((a, b) => b - a);
    return seqs[this.quorum - 1] ?? 0;
  }

  /** Have `need` nodes (a majority unless said; the leader counts) acknowledged anything within `windowMs`? */
  hasContact(now: number, windowMs: number, need = this.quorum): boolean {
    let n = 1;
    for (const a of this.acks.values()) if (a.at >= now - windowMs) n++;
    return n >= need;
  }
}
