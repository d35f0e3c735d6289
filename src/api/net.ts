/**
 * Network control (Jepsen's Net protocol). The embedded fault proxy and the namespaced
 * iptables mode both implement it, so nemeses cannot tell which one they drive.
 */

/**
 * A grudge: for each node, the nodes whose messages it drops (Jepsen's partition shape).
 * `{ n1: ['n2'] }` is one-way: n2's messages do not reach n1, n1's still reach n2.
 * The pseudo-node `CLIENTS` stands for the harness's clients, so client links can be cut too.
 */
export type Grudge = Record<string, string[]>;

/** The name of the clients in a grudge or link. */
export const CLIENTS = 'clients';

export interface LinkShape {
  /** Extra one-way delay in milliseconds. */
  latencyMs?: number;
  /** Uniform jitter added to the delay, in milliseconds. */
  jitterMs?: number;
  /** Probability in [0, 1] that a chunk of traffic is lost (the connection is reset). */
  loss?: number;
  /** Bandwidth limit in bytes per second. */
  bytesPerSecond?: number;
}

export interface Link {
  from: string;
  to: string;
}

export interface Net {
  /** The mechanism in use, reported in results.json (`proxy`, `netns`, ...). */
  readonly kind: string;
  /**
   * Drop traffic as the grudge says; replaces any earlier partition. Nemeses do not call it
   * directly: each sets a layer of src/net/cut-layers.ts, which gives the net the union.
   */
  partition(grudge: Grudge): Promise<void>;
  /** Shape traffic on the given links (all node-to-node links when omitted). */
  shape(shape: LinkShape, links?: Link[]): Promise<void>;
  /** Remove every partition and shape. */
  heal(): Promise<void>;
}
