/**
 * The leader's lease clock: when each session last renewed, on the leader's own clock (the node's
 * `Clock`, which the clock nemesis skews), and which sessions are due to expire. Soft state of
 * the leader alone: a new leader knows nothing of the renewals its predecessor saw, so, as
 * Chubby's new master does, it starts every session's lease afresh when it takes office, which
 * can only lengthen a lease, never shorten it.
 *
 * A session expires `lease + grace` after its last renewal. The holder times its lease from when
 * it sent the renewal, on its own clock; the leader times it from when it applied it, later; the
 * grace covers the leader's clock running faster than the holder's, and the holder's delay
 * between noticing its lease ran out and stopping. The leader reads the time passed on its wall
 * clock and on its monotonic clock and takes the smaller, so a wall clock stepped ahead (an NTP
 * step, the clock nemesis) does not expire anyone early (bug lease-without-grace: no grace, and
 * the wall clock alone).
 */
/** A moment on both of the leader's clocks: its wall clock (skewable) and its monotonic one. */
export interface Instant {
  wall: number;
  mono: number;
}

export class Leases {
  private readonly renewedAt = new Map<string, Instant>();
  /** Sessions whose expiry the leader has proposed and not yet seen applied or cancelled. */
  private readonly expiring = new Set<string>();

  /**
   * `limitMs`: how long after its last renewal a session expires (lease plus grace). With
   * `wallOnly` the time passed is read off the wall clock alone (bug lease-without-grace);
   * otherwise both clocks must agree it passed, so a wall clock that jumps ahead cannot cut a
   * lease short.
   */
  constructor(
    private readonly limitMs: number,
    private readonly wallOnly = false,
  ) {}

  renew(session: string, now: Instant): void {
    this.renewedAt.set(session, now);
    this.expiring.delete(session);
  }

  forget(session: string): void {
    this.renewedAt.delete(session);
    this.expiring.delete(session);
  }

  /** A new leader: every session's lease starts now. */
  restart(sessions: readonly string[], now: Instant): void {
    this.renewedAt.clear();
    this.expiring.clear();
    for (const s of sessions) this.renewedAt.set(s, now);
  }

  /** Sessions whose lease and grace have passed at `now` and whose expiry is not proposed yet; marks them proposed. */
  due(now: Instant): string[] {
    const out: string[] = [];
    for (const [session, at] of this.renewedAt) {
      const wallPassed = now.wall - at.wall;
      const passed = this.wallOnly ? wallPassed : Math.min(wallPassed, now.mono - at.mono);
      if (passed < this.limitMs || this.expiring.has(session)) continue;
      this.expiring.add(session);
      out.push(session);
    }
    return out;
  }
}
