/**
 * Per-link traffic control on one device, as `tc -batch` lines: an htb root whose unclassified
 * traffic goes out unshaped, and for each shaped link a class (its bandwidth limit, or no limit)
 * with, when the link is delayed, a netem leaf, selected by a u32 filter on the link's
 * destination address. Used inside lab namespaces (`--net netns`) and on SSH hosts, wherever
 * bandwidth or netem delay must act on one link rather than on all of a host's traffic.
 */

/** One link leaving the device. */
export interface QueuedLink {
  /** The destination's IPv4 address. */
  to: string;
  bytesPerSecond?: number;
  /** netem delay; only where the kernel has netem. */
  delayMs?: number;
  jitterMs?: number;
}

/** Bandwidth of a class that only exists to carry a netem delay. */
const UNLIMITED_RATE = '10gbit';

/** The `tc -batch` lines that shape `links` on `dev` (after its root qdisc was deleted). */
export function linkQueueLines(dev: string, links: readonly QueuedLink[]): string[] {
  const lines = [`qdisc add dev ${dev} root handle 1: htb`];
  links.forEach((link, i) => {
    const classId = `1:${(i + 1).toString(16)}`;
    const rate = link.bytesPerSecond !== undefined ? `${Math.max(8, Math.round(link.bytesPerSecond * 8))}bit` : UNLIMITED_RATE;
    lines.push(`class add dev ${dev} parent 1: classid ${classId} htb rate ${rate} ceil ${rate}`);
    const delay = link.delayMs ?? 0;
    const jitter = link.jitterMs ?? 0;
    if (delay > 0 || jitter > 0) lines.push(`qdisc add dev ${dev} parent ${classId} handle ${(i + 2).toString(16)}: netem delay ${delay}ms ${jitter}ms`);
    lines.push(`filter add dev ${dev} parent 1: protocol ip prio 1 u32 match ip dst ${link.to}/32 flowid ${classId}`);
  });
  return lines;
}
