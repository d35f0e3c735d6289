/**
 * Which node is the hub of a Maelstrom cluster's traffic: faultline's stand-in for the primary
 * of a program it knows nothing about. A node that coordinates (a Raft leader, the one node that
 * holds the data) exchanges messages with every other node, while the others mostly talk to it,
 * so the node the others talk with most is the one the partition nemesis's targeted shapes
 * (`isolate-primary`, `primary-minority`) should cut off, as Jepsen's do with a leader. When no
 * node stands out (gossip among equals) there is no hub, and those shapes fall back to their
 * stand-in cut.
 *
 * Each shim counts the messages it exchanged with each peer over the last `windowMs` (in two
 * half-window buckets) and reports them in its status; `hubOf` reads those reports.
 */

export class TrafficMeter {
  private current = new Map<string, number>();
  private previous = new Map<string, number>();
  private bucketStart = 0;

  constructor(private readonly windowMs = 2000) {}

  /** One message to or from `peer` at monotonic time `now`. */
  note(peer: string, now: number): void {
    this.rotate(now);
    this.current.set(peer, (this.current.get(peer) ?? 0) + 1);
  }

  /** Messages exchanged with each peer over about the last window. */
  counts(now: number): Record<string, number> {
    this.rotate(now);
    const out: Record<string, number> = {};
    for (const m of [this.previous, this.current]) for (const [peer, n] of m) out[peer] = (out[peer] ?? 0) + n;
    return out;
  }

  private rotate(now: number): void {
    const half = this.windowMs / 2;
    if (now - this.bucketStart < half) return;
    this.previous = now - this.bucketStart < 2 * half ? this.current : new Map();
    this.current = new Map();
    this.bucketStart = now;
  }
}

/** How far the hub must lead the next node: by this factor, so that equals have none. */
const LEAD = 1.5;
/** Fewer messages than this in a window say nothing. */
const MIN_MESSAGES = 10;

/**
 * The hub, from each node's report of its traffic with its peers (undefined for a node that did
 * not answer): the node the others exchanged most messages with, if it clearly leads.
 */
export function hubOf(reports: Readonly<Record<string, Readonly<Record<string, number>> | undefined>>): string | undefined {
  const score = new Map<string, number>();
  for (const [reporter, traffic] of Object.entries(reports)) {
    for (const [peer, n] of Object.entries(traffic ?? {})) if (peer !== reporter) score.set(peer, (score.get(peer) ?? 0) + n);
  }
  const ranked = [...score].sort((a, b) => b[1] - a[1]);
  const [first, second] = ranked;
  if (!first || first[1] < MIN_MESSAGES || (second && first[1] < LEAD * second[1])) return undefined;
  return first[0];
}
