/**
 * Requests of a node that wait for answers from a majority of the nodes (itself counted): each
 * resolves its `done` once enough distinct peers answered, and is dropped after `expireMs`
 * unanswered (the client has given up by then and recorded the outcome as unknown).
 */
export class Quorum {
  private readonly waiting = new Map<string, { peers: Set<string>; done: () => void; expires: number }>();
  private next = 1;
  /** Answers from peers needed: a majority of `clusterSize`, less this node. */
  readonly needed: number;

  constructor(
    clusterSize: number,
    private readonly expireMs: number,
  ) {
    this.needed = Math.floor(clusterSize / 2);
  }

  /** Start waiting at monotonic time `now`; returns the request id, or undefined when no answer is needed (done at once). */
  open(now: number, done: () => void): string | undefined {
    if (this.needed === 0) {
      done();
      return undefined;
    }
    const rid = `q${this.next++}`;
    this.waiting.set(rid, { peers: new Set(), done, expires: now + this.expireMs });
    return rid;
  }

  /** An answer from `peer` to `rid`. */
  answer(rid: string, peer: string): void {
    const w = this.waiting.get(rid);
    if (!w) return;
    w.peers.add(peer);
    if (w.peers.size >= this.needed) {
      this.waiting.delete(rid);
      w.done();
    }
  }

  /** Drop requests expired at monotonic time `now`. */
  expire(now: number): void {
    for (const [rid, w] of this.waiting) if (w.expires <= now) this.waiting.delete(rid);
  }
}
