/**
 * The embedded default's network control: a `LinkProxy` in front of every directed node link
 * and every node's client port, so partitions and shaping need no root, no iptables and no
 * namespaces. Nodes are told to dial `peerAddress(from, to)`; clients dial `clientAddress(node)`.
 */
import { CLIENTS, type Grudge, type Link, type LinkShape, type Net } from '../../api/net.js';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Rng } from '../../gen/rng.js';
import { byName, cutLinks, describeGrudge, normalize } from '../grudge.js';
import { LinkProxy, validateShape, type LinkStats } from './link-proxy.js';

export interface ProxyNetOptions {
  /** Node ids, in order. */
  nodes: string[];
  /** host:port each node listens on for its peers. */
  peerTargets: Record<string, string>;
  /** host:port each node listens on for clients. */
  clientTargets: Record<string, string>;
  /** Run seed; each link's jitter and loss draw from an Rng derived from it and the link. */
  seed: number;
}

/** What results.json records about the network: what is cut or shaped now, and counters. */
export interface ProxyNetDescription {
  kind: 'proxy';
  /** The partition in force, normalized (`{}` when none). */
  grudge: Grudge;
  /** The partition in one line, e.g. `n1,n2 | n3,n4,n5`. */
  text: string;
  /** Blocked links, as `from->to` (client links as `clients->n1`). */
  blocked: string[];
  /** Shaped links and their shapes. */
  shaped: Record<string, LinkShape>;
  /** Per-link counters. */
  links: Record<string, LinkStats & { listen: string; target: string }>;
}

const key = (from: string, to: string): string => `${from}->${to}`;

/** Links set up between two turns of the event loop. */
const LISTEN_BATCH = 64;

/** A `Net` made of TCP proxies on 127.0.0.1. Start with {@link ProxyNet.start}; close when done. */
export class ProxyNet implements Net {
  readonly kind = 'proxy';
  private grudge: Grudge = {};

  private constructor(
    private readonly nodes: readonly string[],
    /** Every link by `from->to`; client links are `clients->node`. */
    private readonly links: ReadonlyMap<string, LinkProxy>,
  ) {}

  /** One proxy per ordered node pair and one client proxy per node, all listening; `signal` stops the setup (and closes what it made). */
  static async start(opts: ProxyNetOptions, signal?: AbortSignal): Promise<ProxyNet> {
    const { nodes, peerTargets, clientTargets, seed } = opts;
    if (new Set(nodes).size !== nodes.length || nodes.includes(CLIENTS)) {
      throw new Error(`node ids must be distinct and not '${CLIENTS}': ${nodes.join(', ')}`);
    }
    const wanted: { from: string; to: string; target: string }[] = [];
    for (const to of nodes) {
      const peer = peerTargets[to];
      const client = clientTargets[to];
      if (peer === undefined || client === undefined) throw new Error(`no listen addresses for node ${to}`);
      for (const from of nodes) if (from !== to) wanted.push({ from, to, target: peer });
      wanted.push({ from: CLIENTS, to, target: client });
    }
    // In batches, yielding between them: each listen binds at once, and with thousands of links
    // (100 nodes make 9,900) one burst would hold the event loop, and Ctrl-C, for seconds.
    const links = new Map<string, LinkProxy>();
    try {
      for (let i = 0; i < wanted.length; i += LISTEN_BATCH) {
        signal?.throwIfAborted();
        const batch = wanted.slice(i, i + LISTEN_BATCH);
        const settled = await Promise.allSettled(batch.map(({ from, to, target }) => LinkProxy.listen({ target, rng: Rng.derive(seed, key(from, to)) })));
        settled.forEach((result, j) => {
          const { from, to } = batch[j]!;
          if (result.status === 'fulfilled') links.set(key(from, to), result.value);
        });
        const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failed) throw failed.reason;
        await yieldToLoop();
      }
    } catch (err) {
      await Promise.all([...links.values()].map((link) => link.close()));
      throw err;
    }
    return new ProxyNet([...nodes], links);
  }

  /** The host:port node `from` dials to reach node `to`. */
  peerAddress(from: string, to: string): string {
    if (from === CLIENTS) return this.clientAddress(to);
    return this.link(from, to).address;
  }

  /** The host:port a client dials to reach `node`. */
  clientAddress(node: string): string {
    return this.link(CLIENTS, node).address;
  }

  /**
   * Point every link into `node` at new listen addresses (a restarted node may listen
   * elsewhere). Open connections into the node are dropped; partitions and shapes stay.
   */
  retarget(node: string, peerTarget: string, clientTarget: string): void {
    this.link(CLIENTS, node).setTarget(clientTarget);
    for (const from of this.nodes) if (from !== node) this.link(from, node).setTarget(peerTarget);
  }

  /**
   * Block link y→x for every y in `grudge[x]`, and unblock every other link. Client links carry
   * requests and replies on one connection, so a cut between the clients and a node (either
   * way) blocks that node's client link in both directions.
   * @throws if the grudge names an unknown node (nothing is changed then).
   */
  async partition(grudge: Grudge): Promise<void> {
    const g = normalize(grudge);
    const cut = new Set<string>();
    for (const { from, to } of cutLinks(g)) cut.add(this.linkKey(from, to));
    for (const [name, link] of this.links) {
      if (cut.has(name)) link.block();
      else link.unblock();
    }
    this.grudge = g;
  }

  /**
   * Shape the given links (every node-to-node link when omitted), in both directions of their
   * connections; other links keep their shapes. `{}` clears. A link between a node and the
   * clients (either way) shapes that node's client link.
   */
  async shape(shape: LinkShape, links?: Link[]): Promise<void> {
    validateShape(shape);
    const names = links
      ? links.map(({ from, to }) => this.linkKey(from, to))
      : [...this.links.keys()].filter((name) => !name.startsWith(`${CLIENTS}->`));
    for (const name of names) this.links.get(name)?.setShape(shape);
  }

  /** Remove every partition and shape. */
  async heal(): Promise<void> {
    for (const link of this.links.values()) {
      link.unblock();
      link.setShape({});
    }
    this.grudge = {};
  }

  /** Close every proxy and every socket through them. */
  async close(): Promise<void> {
    await Promise.all([...this.links.values()].map((link) => link.close()));
  }

  /** A snapshot for results.json. */
  describe(): ProxyNetDescription {
    const names = [...this.links.keys()].sort((a, b) => byName(a, b));
    const shaped: Record<string, LinkShape> = {};
    const links: ProxyNetDescription['links'] = {};
    for (const name of names) {
      const link = this.links.get(name) as LinkProxy;
      if (link.shaped) shaped[name] = link.shape;
      links[name] = { listen: link.address, target: link.target, ...link.stats() };
    }
    return {
      kind: this.kind,
      grudge: this.grudge,
      text: describeGrudge(this.grudge, this.nodes),
      blocked: names.filter((name) => this.links.get(name)?.blocked),
      shaped,
      links,
    };
  }

  /** The proxy key for a link; links to or from the clients map to the node's client link. */
  private linkKey(from: string, to: string): string {
    const name = to === CLIENTS ? key(CLIENTS, from) : key(from, to);
    if (from === to || !this.links.has(name)) throw new Error(`no link ${key(from, to)} in this network`);
    return name;
  }

  private link(from: string, to: string): LinkProxy {
    const link = this.links.get(this.linkKey(from, to));
    if (!link) throw new Error(`no link ${key(from, to)}`);
    return link;
  }
}
