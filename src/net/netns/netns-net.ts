/**
 * Why: the `Net` of `--net netns` mode, so nemeses drive real packet drops exactly as they drive
 * the fault proxy. Partitions are one nft table (bridge family) at the lab's bridge, in the
 * switch namespace, rather than iptables rules in every node namespace, because:
 * - a grudge maps one-to-one onto `ip saddr {senders} ip daddr receiver drop` rules at the one
 *   place every lab packet crosses, including the control namespace's (so `clients` works too);
 * - replacing a partition is one nft transaction (declare, delete, recreate the table), so there
 *   is never a moment with half the old and half the new rules, and heal is deleting the table;
 * - the nodes' own firewalls stay free, for loss shaping and for systems that manage iptables.
 * Shaping, with no netem in this kernel: loss is `iptables -m statistic` in the receiver's
 * namespace (its whole filter table, replaced atomically by iptables-restore); bandwidth is an
 * htb class per link with a u32 destination filter on the sender's eth0 (tbf could only limit
 * all of a node's traffic at once, not one link). Latency and jitter go to a {@link DelayShaper}
 * when one is given (the per-node fault proxies of proxy-control.ts, which this kernel needs,
 * having no `tc netem`); without one they need netem, and shape() refuses them where it is missing.
 */
import { CLIENTS, type Grudge, type Link, type LinkShape, type Net } from '../../api/net.js';
import { UserError } from '../../user-error.js';
import { byName, cutLinks, describeGrudge, grudgeNodes, normalize } from '../grudge.js';
import { linkQueueLines } from '../link-queues.js';
import { CommandError, findTool, iptablesRestoreIn, nftIn, tcIn } from './exec.js';
import type { Lab, LabHost } from './lab.js';

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

/** What results.json records about the network in netns mode. */
export interface NetnsNetDescription {
  kind: 'netns';
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

/** A `Net` over a lab (see {@link Lab}); construct it after `createLab`. */
export class NetnsNet implements Net {
  readonly kind = 'netns';
  private grudge: Grudge = {};
  private shapes = new Map<string, { link: Link; shape: LinkShape }>();
  /** Namespaces whose iptables / tc state faultline has set, so heal knows what to reset. */
  private readonly firewalled = new Set<string>();
  private readonly queued = new Set<string>();
  private netem: boolean | undefined;
  private readonly table: string;

  /** @param delays adds latency and jitter instead of netem, when given. */
  constructor(
    private readonly lab: Lab,
    private readonly delays?: DelayShaper,
  ) {
    this.table = `fl-${lab.id}`;
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
      throw new UserError('latency and jitter on client links are not available in --net netns mode; use --net proxy for them');
    }
    if (!this.delays && delayed.length > 0 && !(await this.netemAvailable())) {
      throw new UserError(
        'latency and jitter are not available in --net netns mode here: this kernel has no tc netem (sch_netem); use --net proxy for them',
      );
    }
    if (all.some((s) => (s.loss ?? 0) > 0) && !findTool('iptables-restore')) {
      throw new UserError('packet loss in --net netns mode needs iptables; install it with apt-get install iptables');
    }
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
      kind: 'netns',
      lab: this.lab.id,
      subnet: this.lab.subnet,
      addresses: { ...Object.fromEntries(nodes.map((n) => [n, this.host(n).address])), [CLIENTS]: this.lab.control.address },
      grudge: this.grudge,
      text: describeGrudge(this.grudge, nodes),
      blocked: cutLinks(this.grudge).map(({ from, to }) => key(from, to)),
      shaped,
      mechanisms: {
        partition: `nft table bridge ${this.table} in ${this.lab.switchNs}`,
        loss: 'iptables statistic (random) DROP in the receiving namespace',
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
    try {
      await tcIn(this.lab.switchNs, ['qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms']);
      await tcIn(this.lab.switchNs, ['qdisc', 'del', 'dev', 'lo', 'root']);
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

  /** The lab host behind a node id or `clients`. */
  private host(name: string): LabHost {
    const host = name === CLIENTS ? this.lab.control : this.lab.nodes[name];
    if (!host) throw new Error(`no node named ${name} in lab ${this.lab.id}`);
    return host;
  }

  /** Rewrite iptables and tc in every namespace that has or had shaping. */
  private async applyShapes(): Promise<void> {
    const loss = new Map<string, string[]>();
    const queues = new Map<string, { to: LabHost; shape: LinkShape }[]>();
    for (const { link, shape } of this.shapes.values()) {
      const from = this.host(link.from);
      const to = this.host(link.to);
      const p = shape.loss ?? 0;
      if (p > 0) {
        const match = p >= 1 ? '' : ` -m statistic --mode random --probability ${p}`;
        loss.set(to.ns, [...(loss.get(to.ns) ?? []), `-A INPUT -s ${from.address}/32${match} -j DROP`]);
      }
      if (shape.bytesPerSecond !== undefined || (!this.delays && hasDelay(shape))) {
        queues.set(from.ns, [...(queues.get(from.ns) ?? []), { to, shape }]);
      }
    }
    const work: Promise<unknown>[] = [];
    for (const ns of new Set([...this.firewalled, ...loss.keys()])) {
      const rules = loss.get(ns) ?? [];
      const table = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ...rules, 'COMMIT', ''];
      const applied = iptablesRestoreIn(ns, table.join('\n')).then(() => {
        if (rules.length > 0) this.firewalled.add(ns);
        else this.firewalled.delete(ns);
      });
      work.push(applied);
    }
    for (const ns of new Set([...this.queued, ...queues.keys()])) {
      work.push(this.applyQueues(ns, queues.get(ns) ?? []));
    }
    if (this.delays) work.push(this.delays.setDelays([...this.shapes.values()].filter((s) => hasDelay(s.shape))));
    const failed = (await Promise.allSettled(work)).find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  /** Replace the root qdisc of `ns`'s eth0: one htb class (and netem leaf) per shaped link. */
  private async applyQueues(ns: string, links: { to: LabHost; shape: LinkShape }[]): Promise<void> {
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
