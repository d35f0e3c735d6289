/**
 * The probe's wire format, shared by the probe node (./probe-node.ts) and the harness side (./probe.ts):
 * one JSON request line per connection, one JSON reply line back. On a node's client port the
 * harness asks it things; on its peer port other probe nodes say hello.
 */

/** What the harness can ask a probe node on its client port. */
export type ProbeRequest =
  | { op: 'ping' }
  /** Dial each of `peers` (every peer when omitted) `count` times at once as the plan says, say hello with `tag`, wait up to `timeoutMs` for each answer. */
  | { op: 'reach'; tag: string; timeoutMs: number; peers?: string[]; count?: number }
  /** Which nodes said hello with `tag`. */
  | { op: 'heard'; tag: string }
  | { op: 'write'; data: string }
  | { op: 'read' }
  | { op: 'clock' }
  | { op: 'log'; text: string };

export interface PingReply {
  id: string;
  pid: number;
  /** How many times this node has started on its data directory. */
  boots: number;
}

/** Per peer: answers received and their round-trip times in ms. */
export type ReachReply = Record<string, { delivered: number; rttMs: number[] }>;

export interface ClockReply {
  /** Epoch ms as the node believes (src/node/clock.ts). */
  now: number;
  /** The offset its clock file sets, in ms. */
  offset: number;
}

/** A hello on the peer port. */
export interface Hello {
  op: 'hello';
  from: string;
  tag: string;
}

/** Longest line either side accepts. */
export const MAX_LINE_BYTES = 64 * 1024;
