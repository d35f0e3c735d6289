/**
 * Why: the `Net` of namespaced nodes (`--net netns`, and containers under `--hosts docker`), so
 * nemeses drive real packet drops exactly as they drive the fault proxy. Every node has a network
 * namespace and an address ({@link NamespacedHosts}). Where a switch namespace carries every
 * packet (a netns lab's bridge), partitions are one nft table (bridge family) there, rather than
 * iptables rules in every node namespace, because:
 * - a grudge maps one-to-one onto `ip saddr {senders} ip daddr receiver drop` rules at the one
 *   place every lab packet crosses, including the control namespace's (so `clients` works too);
 * - replacing a partition is one nft transaction (declare, delete, recreate the table), so there
 *   is never a moment with half the old and half the new rules, and heal is deleting the table;
 * - the nodes' own firewalls stay free, for loss shaping and for systems that manage iptables.
 * Where there is no such switch (a Docker bridge belongs to the daemon, in the host's namespace
 * for an ordinary daemon, and is not faultline's to touch), partitions are iptables DROP rules in
 * each node's own namespace, as in Jepsen: INPUT from the senders it must not hear, and OUTPUT to
 * the clients when the clients must not hear it (the clients' side is not faultline's either).
 * Shaping, with no netem in this kernel: loss is `iptables -m statistic` in the receiver's
 * namespace (or the sender's OUTPUT towards clients), in the same filter table as those partition
 * rules, replaced atomically by iptables-restore; bandwidth is an htb class per link with a u32
 * destination filter on the sender's eth0 (tbf could only limit all of a node's traffic at once,
 * not one link). Latency and jitter go to a {@link DelayShaper} when one is given (the per-node
 * fault proxies of proxy-control.ts, which this kernel needs, having no `tc netem`); without one
 * they need netem, and shape() refuses them where it is missing.
 */
import { CLIENTS, type Grudge, type Link, type LinkShape, type Net } from '../../api/net.js';
import { UserError } from '../../user-error.js';
import { byName, cutLinks, describeGrudge, grudgeNodes, normalize } from '../grudge.js';
import { linkQueueLines } from '../link-queues.js';
import { CommandError, findTool, iptablesRestoreIn, nftIn, tcIn } from './exec.js';

/** One end point: a network namespace (a name under /var/run/netns, or `/proc/<pid>/ns/net`) and its address. */
export interface NamespacedHost {
  ns: string;
  address: string;
}

/**
 * The namespaced hosts a {@link NetnsNet} drives. A netns lab (lab.ts) is one as it is; a
 * container backend describes its containers' namespaces.
 */
export interface NamespacedHosts {
  /** Names the rules (`fl-<id>`) and appears in results.json. */
  id: string;
  /** The nodes' subnet, for results.json. */
  subnet: string;
  nodes: Readonly<Record<string, NamespacedHost>>;
  /** The clients' side: its address as the nodes see it, and its namespace when faultline owns it (rules may go there). */
  control: { address: string; ns?: string };
  /** A namespace whose bridge carries every packet between hosts: partitions go there, else into each node's namespace. */
  switchNs?: string;
}

/**
 * Something that delays node-to-node links outside the kernel (the per-node fault proxies).
 * {@link NetnsNet} hands it the whole latency layer on every change.
 */
export interface DelayShaper {
  /** Make these the only delayed links (`[]` clears them all). */
  setDelays(shaped: readonly { link: Link; shape: LinkShape }[]): Promise<void>;
  /** One line for results.json: what adds the delay. */
  readonly mechanism: string;
}

/** What results.json records about a namespaced network. */
export interface NetnsNetDescription {
  kind: string;
  /** The lab id and its /24. */
  lab: string;
  subnet: string;
  /** Each node's address, and `clients` for the control namespace's. */
  addresses: Record<string, string>;
  /** The partition in force, normalized (`{}` when none). */
  grudge: Grudge;
  /** The partition in one line, e.g. `n1,n2 | n3,n4,n5`. */
  text: string;
  /** Cut links as `from->to`. */
  blocked: string[];
  /** Shaped links and their shapes. */
  shaped: Record<string, LinkShape>;
  /** Which mechanism enforces what, so a run says how its faults were made. */
  mechanisms: { partition: string; loss: string; bandwidth: string; latency: string };
}

const key = (from: string, to: string): string => `${from}->${to}`;

/** A `Net` over namespaced hosts (a lab made by `createLab`, or a run's containers). */
export class NetnsNet implements Net {
  private grudge: Grudge = {};
  private shapes = new Map<string, { link: Link; shape: LinkShape }>();
  /** Namespaces whose iptables / tc state faultline has set, so heal knows what to reset. */
  private readonly firewalled = new Set<string>();
  private readonly queued = new Set<string>();
  private netem: boolean | undefined;
  private readonly table: string;
  /** Serialises rewrites of the filter tables, so the last state always wins. */
  private filtering: Promise<void> = Promise.resolve();

  /** The mechanism's name in results.json (`netns`, `docker`). */
  readonly kind: string;
  /** How the user chose it, for messages (`--net netns`). */
  private readonly flag: string;

  /**
   * @param delays adds latency and jitter instead of netem, when given.
   * @param mode the mechanism's name for results.json and the option that chose it, for messages.
   */
  constructor(
    private readonly lab: NamespacedHosts,
    private readonly delays?: DelayShaper,
    mode: { kind: string; flag: string } = { kind: 'netns', flag: '--net netns' },
  ) {
    this.table = `fl-${lab.id}`;
    this.kind = mode.kind;
    this.flag = mode.flag;
  }

  /**
   * Drop traffic as the grudge says (`{x: [y]}`: packets from y to x are dropped at the bridge),
   * replacing any earlier partition in one transaction. `clients` is the control namespace.
   * TCP fails both ways across a one-way cut (its ACKs are dropped), as with iptables in Jepsen.
   * @throws if the grudge names an unknown node (nothing is changed then); CommandError from nft.
   */
  async partition(grudge: Grudge): Promise<void> {
    for (const node of grudgeNodes(grudge)) this.host(node);
    const g = normalize(grudge);
    if (this.lab.switchNs === undefined) {
      const before = this.grudge;
      this.grudge = g;
      try {
        await this.applyFilters();
      } catch (err) {
        this.grudge = before;
        throw err;
      }
      return;
    }
    const rules = Object.entries(g).map(
      ([to, froms]) => `    ip saddr { ${froms.map((f) => this.host(f).address).join(', ')} } ip daddr ${this.host(to).address} drop`,
    );
    const reset = `table bridge ${this.table}\ndelete table bridge ${this.table}\n`;
    const table =
      rules.length === 0
        ? ''
        : `table bridge ${this.table} {\n  chain xfer {\n    type filter hook forward priority 0; policy accept;\n${rules.join('\n')}\n  }\n}\n`;
    await nftIn(this.lab.switchNs, reset + table);
    this.grudge = g;
  }

  /**
   * Shape the given links (every node-to-node link when omitted); other links keep their shapes;
   * `{}` clears. A link `a->b` shapes the packets a sends to b: loss drops them at b, bandwidth
   * limits them as they leave a. Shape both directions for a symmetric effect.
   * @throws RangeError on a bad shape; Error on an unknown node; UserError when latency or
   *   jitter is asked for on a client link with a {@link DelayShaper}, or without one on a
   *   kernel with no netem, or loss without iptables installed (nothing is changed then).
   */
  async shape(shape: LinkShape, links?: Link[]): Promise<void> {
    validate(shape);
    const targets = links ?? this.nodeLinks();
    for (const { from, to } of targets) {
      this.host(from);
      this.host(to);
      if (from === to) throw new Error(`no link ${key(from, to)} in this network`);
    }
    const next = new Map(this.shapes);
    for (const link of targets) {
      if (isEmpty(shape)) next.delete(key(link.from, link.to));
      else next.set(key(link.from, link.to), { link: { from: link.from, to: link.to }, shape: { ...shape } });
    }
    const all = [...next.values()].map((s) => s.shape);
    const delayed = [...next.values()].filter((s) => hasDelay(s.shape));
    if (this.delays && delayed.some(({ link }) => link.from === CLIENTS || link.to === CLIENTS)) {
      throw new UserError(`latency and jitter on client links are not available with ${this.flag}; use --hosts local --net proxy for them`);
    }
    if (!this.delays && delayed.length > 0 && !(await this.netemAvailable())) {
      throw new UserError(
        `latency and jitter are not available with ${this.flag} here: this kernel has no tc netem (sch_netem); use --hosts local --net proxy for them`,
      );
    }
    if (all.some((s) => (s.loss ?? 0) > 0) && !findTool('iptables-restore')) {
      throw new UserError(`packet loss with ${this.flag} needs iptables; install it with apt-get install iptables`);
    }
    const unowned = this.lab.control.ns === undefined && [...next.values()].some(({ link, shape }) => link.from === CLIENTS && shape.bytesPerSecond !== undefined);
    if (unowned) throw new UserError(`bandwidth limits on links from the clients are not available with ${this.flag}: the clients' side is not faultline's to shape`);
    const before = this.shapes;
    this.shapes = next;
    try {
      await this.applyShapes();
    } catch (err) {
      this.shapes = before;
      throw err;
    }
  }

  /** Remove every partition and shape. */
  async heal(): Promise<void> {
    this.shapes = new Map();
    const results = await Promise.allSettled([this.partition({}), this.applyShapes()]);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  /** A snapshot for results.json. */
  describe(): NetnsNetDescription {
    const nodes = Object.keys(this.lab.nodes);
    const shaped: Record<string, LinkShape> = {};
    for (const name of [...this.shapes.keys()].sort(byName)) shaped[name] = (this.shapes.get(name) as { shape: LinkShape }).shape;
    return {
      kind: this.kind,
      lab: this.lab.id,
      subnet: this.lab.subnet,
      addresses: { ...Object.fromEntries(nodes.map((n) => [n, this.host(n).address])), [CLIENTS]: this.lab.control.address },
      grudge: this.grudge,
      text: describeGrudge(this.grudge, nodes),
      blocked: cutLinks(this.grudge).map(({ from, to }) => key(from, to)),
      shaped,
      mechanisms: {
        partition: this.lab.switchNs !== undefined
          ? `nft table bridge ${this.table} in ${this.lab.switchNs}`
          : "iptables DROP in each node's namespace (INPUT from the senders it must not hear, OUTPUT to the clients)",
        loss: 'iptables statistic (random) DROP in the receiving namespace (towards clients: in the sender\'s OUTPUT)',
        bandwidth: 'tc htb class + u32 filter per link on the sender eth0',
        latency: this.delays
          ? this.delays.mechanism
          : this.netem === undefined ? 'not probed' : this.netem ? 'tc netem' : 'unsupported (no tc netem in this kernel)',
      },
    };
  }

  /**
   * Whether this kernel has `tc netem`: probed once by adding and removing a netem qdisc on the
   * switch namespace's `lo`, which carries no lab traffic.
   */
  async netemAvailable(): Promise<boolean> {
    if (this.netem !== undefined) return this.netem;
    const probeNs = this.lab.switchNs ?? this.nsOf(Object.keys(this.lab.nodes)[0] as string);
    try {
      await tcIn(probeNs, ['qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms']);
      await tcIn(probeNs, ['qdisc', 'del', 'dev', 'lo', 'root']);
      this.netem = true;
    } catch (err) {
      if (!(err instanceof CommandError) || err.code === 'ENOENT') throw err;
      this.netem = false;
    }
    return this.netem;
  }

  /** Every ordered pair of distinct nodes (not the clients). */
  private nodeLinks(): Link[] {
    const nodes = Object.keys(this.lab.nodes);
    return nodes.flatMap((from) => nodes.filter((to) => to !== from).map((to) => ({ from, to })));
  }

  /** The host behind a node id, or `clients` (whose namespace may not be faultline's: `ns` undefined). */
  private host(name: string): { ns: string | undefined; address: string } {
    const host = name === CLIENTS ? this.lab.control : this.lab.nodes[name];
    if (!host) throw new Error(`no node named ${name} in lab ${this.lab.id}`);
    return { ns: host.ns, address: host.address };
  }

  /** A node's namespace, or the clients' when faultline owns it. */
  private nsOf(name: string): string {
    const { ns } = this.host(name);
    if (ns === undefined) throw new Error(`the clients' namespace is not faultline's`);
    return ns;
  }

  /** Rewrite iptables and tc in every namespace that has or had shaping. */
  private async applyShapes(): Promise<void> {
    const queues = new Map<string, { to: { address: string }; shape: LinkShape }[]>();
    for (const { link, shape } of this.shapes.values()) {
      if (shape.bytesPerSecond !== undefined || (!this.delays && hasDelay(shape))) {
        const from = this.nsOf(link.from);
        queues.set(from, [...(queues.get(from) ?? []), { to: this.host(link.to), shape }]);
      }
    }
    const work: Promise<unknown>[] = [this.applyFilters()];
    for (const ns of new Set([...this.queued, ...queues.keys()])) {
      work.push(this.applyQueues(ns, queues.get(ns) ?? []));
    }
    if (this.delays) work.push(this.delays.setDelays([...this.shapes.values()].filter((s) => hasDelay(s.shape))));
    const failed = (await Promise.allSettled(work)).find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  /**
   * Rewrite the filter table of every namespace that needs rules or had them: loss, and, without
   * a switch namespace, the partition. A rule for traffic to the clients goes into the sender's
   * OUTPUT when the clients' namespace is not faultline's. One rewrite at a time, each from the
   * state as it is when it runs, so overlapping calls end with the latest state.
   */
  private applyFilters(): Promise<void> {
    const apply = async (): Promise<void> => {
      const rules = new Map<string, string[]>();
      const drop = (from: string, to: string, match: string): void => {
        const receiver = this.host(to);
        const sender = this.host(from);
        const [ns, rule] = receiver.ns !== undefined
          ? [receiver.ns, `-A INPUT -s ${sender.address}/32${match} -j DROP`]
          : [this.nsOf(from), `-A OUTPUT -d ${receiver.address}/32${match} -j DROP`];
        rules.set(ns, [...(rules.get(ns) ?? []), rule]);
      };
      if (this.lab.switchNs === undefined) for (const { from, to } of cutLinks(this.grudge)) drop(from, to, '');
      for (const { link, shape } of this.shapes.values()) {
        const p = shape.loss ?? 0;
        if (p > 0) drop(link.from, link.to, p >= 1 ? '' : ` -m statistic --mode random --probability ${p}`);
      }
      const work = [...new Set([...this.firewalled, ...rules.keys()])].map(async (ns) => {
        const mine = rules.get(ns) ?? [];
        const table = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ...mine, 'COMMIT', ''];
        await iptablesRestoreIn(ns, table.join('\n'));
        if (mine.length > 0) this.firewalled.add(ns);
        else this.firewalled.delete(ns);
      });
      const failed = (await Promise.allSettled(work)).find((r) => r.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
    };
    const run = this.filtering.then(apply);
    this.filtering = run.catch(() => undefined);
    return run;
  }

  /** Replace the root qdisc of `ns`'s eth0: one htb class (and netem leaf) per shaped link. */
  private async applyQueues(ns: string, links: { to: { address: string }; shape: LinkShape }[]): Promise<void> {
    // Fails when there is no root qdisc yet; any real problem shows in the adds below.
    await tcIn(ns, ['qdisc', 'del', 'dev', 'eth0', 'root']).catch(() => undefined);
    this.queued.delete(ns);
    if (links.length === 0) return;
    this.queued.add(ns); // Before the adds, so a half-applied batch is still reset next time.
    // Only reached with delays where netem exists (not on the development VMs): untested there.
    const lines = linkQueueLines(
      'eth0',
      links.map(({ to, shape }) => ({
        to: to.address,
        ...(shape.bytesPerSecond !== undefined && { bytesPerSecond: shape.bytesPerSecond }),
        ...(!this.delays && { delayMs: shape.latencyMs ?? 0, jitterMs: shape.jitterMs ?? 0 }),
      })),
    );
    await tcIn(ns, ['-batch', '-'], { input: `${lines.join('\n')}\n` });
  }
}

function hasDelay(shape: LinkShape): boolean {
  return (shape.latencyMs ?? 0) > 0 || (shape.jitterMs ?? 0) > 0;
}

function isEmpty(shape: LinkShape): boolean {
  return !shape.latencyMs && !shape.jitterMs && !shape.loss && shape.bytesPerSecond === undefined;
}

function validate(shape: LinkShape): void {
  const { latencyMs = 0, jitterMs = 0, loss = 0, bytesPerSecond } = shape;
  const ok = latencyMs >= 0 && jitterMs >= 0 && loss >= 0 && loss <= 1 && (bytesPerSecond === undefined || bytesPerSecond > 0);
  if (!ok) throw new RangeError(`invalid link shape ${JSON.stringify(shape)}`);
}
