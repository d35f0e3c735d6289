/**
 * Bounded lock waits. A prepare that finds a key locked by another prepared transaction waits
 * for it, up to LOCK_WAIT_MS, instead of being refused at once: transactions contending for the
 * same few keys queue behind each other and commit one after another rather than abort each
 * other. Who may wait is the participant's rule (./participant.ts: younger transactions wait
 * for older ones), which keeps waits free of deadlocks; the bound keeps short a wait behind a
 * holder that stays prepared (in doubt, cut off from its coordinator). It is well under the
 * coordinators' vote timeouts, so a refusal arrives before the coordinator gives up.
 */

/** How long a prepare waits for locks held by other transactions before it is refused. */
export const LOCK_WAIT_MS = 500;

export class LockWaits<T> {
  /** The waiting prepares by transaction, oldest first (a Map keeps insertion order). */
  private readonly waiting = new Map<string, { item: T; until: number }>();

  /** `txn` waits from `now` (a repeated prepare keeps its place and its deadline). */
  add(txn: string, item: T, now: number): void {
    if (!this.waiting.has(txn)) this.waiting.set(txn, { item, until: now + LOCK_WAIT_MS });
  }

  has(txn: string): boolean {
    return this.waiting.has(txn);
  }

  /** Stop waiting for `txn` (its outcome came first); whether it was waiting. */
  drop(txn: string): boolean {
    return this.waiting.delete(txn);
  }

  /**
   * Try every waiting prepare again, oldest first. `attempt` says whether it is settled (prepared
   * or refused); `last` is true once its wait has run out, and then it must settle it.
   */
  retry(now: number, attempt: (item: T, last: boolean) => boolean): void {
    for (const [txn, w] of [...this.waiting]) if (attempt(w.item, now >= w.until)) this.waiting.delete(txn);
  }

  size(): number {
    return this.waiting.size;
  }
}
