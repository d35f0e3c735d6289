/**
 * The `Net` of `--hosts ssh`: faults made on the hosts themselves, as Jepsen makes them. Each
 * host gets one nftables table named after the run (`inet faultline-<run>`), rewritten in one
 * transaction on every change: a grudge `{x: [y]}` becomes a DROP of packets from y's address in
 * x's input chain; the clients are the harness's address as each host sees it (cut from the
 * clients: an input drop; cut to the clients: an output drop); loss is a `numgen random` drop on
 * the receiving host. SSH itself is accepted first, so faultline never cuts its own control
 * connection. Delays and bandwidth limits go to the fault proxy on each host (remote-proxies.ts);
 * where every host has netem, delays are netem qdiscs on the sending host instead (an htb class
 * per link, src/net/link-queues.ts), whose devices are noted in the run's directory there for
 * cleaning. Heal deletes the tables; tearDown removes everything.
 */
import { CLIENTS, type Grudge, type Link, type LinkShape, type Net } from '../../api/net.js';
import { byName, cutLinks, describeGrudge, grudgeNodes, normalize } from '../../net/grudge.js';
import { linkQueueLines } from '../../net/link-queues.js';
import { UserError } from '../../user-error.js';
import { RemoteCommandError, shq, type SshConnection } from './connection.js';
import type { RemoteProxies } from './remote-proxies.js';

/** One host as the network sees it. */
export interface NetHost {
  node: string;
  conn: SshConnection;
  /** The node's IPv4 address, which its peers' packets come from. */
  address: string;
  /** The harness's address as this host sees it. */
  harnessAddress: string;
  /** The run's directory on the host (where netem devices are noted). */
  runDir: string;
  /** Output device towards each peer address, where netem is used. */
  devices?: Readonly<Record<string, string>>;
}

export interface SshNetDescription {
  kind: 'ssh';
  run: string;
  addresses: Record<string, string>;
  grudge: Grudge;
  text: string;
  blocked: string[];
  shaped: Record<string, LinkShape>;
  mechanisms: { partition: string; loss: string; latency: string; bandwidth: string };
}

/** The file in a run's directory on a host naming the devices whose root qdisc the run replaced. */
export const TC_DEVICES_FILE = 'tc-devices';
/** Resolution of loss probabilities in nft's numgen rule. */
const LOSS_SCALE = 1_000_000;

/** The nft table of run `runId`. */
export function runTable(runId: string): string {
  return `faultline-${runId}`;
}

const key = (from: string, to: string): string => `${from}->${to}`;
const hasDelay = (s: LinkShape): boolean => (s.latencyMs ?? 0) > 0 || (s.jitterMs ?? 0) > 0;
const isEmpty = (s: LinkShape): boolean => !s.latencyMs && !s.jitterMs && !s.loss && s.bytesPerSecond === undefined;

export class SshNet implements Net {
  readonly kind = 'ssh';
  private grudge: Grudge = {};
  private shapes = new Map<string, { link: Link; shape: LinkShape }>();
  /** The nft script last applied on each host ('' when it has no table). */
  private readonly applied = new Map<string, string>();
  /** The tc lines last applied on each host. */
  private readonly queued = new Map<string, string>();
  private readonly byNode: ReadonlyMap<string, NetHost>;
  private readonly table: string;

  constructor(
    private readonly hosts: readonly NetHost[],
    private readonly runId: string,
    private readonly proxies: RemoteProxies | undefined,
    /** Whether delays are netem qdiscs (every host has netem) rather than the proxies' job. */
    private readonly netem: boolean,
  ) {
    this.byNode = new Map(hosts.map((h) => [h.node, h]));
    this.table = runTable(runId);
  }

  async partition(grudge: Grudge): Promise<void> {
    for (const node of grudgeNodes(grudge)) if (node !== CLIENTS) this.host(node);
    const before = this.grudge;
    this.grudge = normalize(grudge);
    await this.applyFirewalls().catch((err: unknown) => {
      this.grudge = before;
      throw err;
    });
  }

  async shape(shape: LinkShape, links?: Link[]): Promise<void> {
    const { latencyMs = 0, jitterMs = 0, loss = 0, bytesPerSecond } = shape;
    if (!(latencyMs >= 0 && jitterMs >= 0 && loss >= 0 && loss <= 1 && (bytesPerSecond === undefined || bytesPerSecond > 0))) {
      throw new RangeError(`invalid link shape ${JSON.stringify(shape)}`);
    }
    const targets = links ?? this.hosts.flatMap((a) => this.hosts.filter((b) => b !== a).map((b) => ({ from: a.node, to: b.node })));
    for (const { from, to } of targets) {
      if (from === to || (from === CLIENTS && to === CLIENTS)) throw new Error(`no link ${key(from, to)} in this network`);
      for (const end of [from, to]) if (end !== CLIENTS) this.host(end);
      const clientLink = from === CLIENTS || to === CLIENTS;
      if (clientLink && (hasDelay(shape) || bytesPerSecond !== undefined)) {
        throw new UserError('latency and bandwidth limits on client links are not available with --hosts ssh (only on node-to-node links)');
      }
    }
    const next = new Map(this.shapes);
    for (const { from, to } of targets) {
      if (isEmpty(shape)) next.delete(key(from, to));
      else next.set(key(from, to), { link: { from, to }, shape: { ...shape } });
    }
    const before = this.shapes;
    this.shapes = next;
    try {
      await this.applyAll();
    } catch (err) {
      this.shapes = before;
      throw err;
    }
  }

  async heal(): Promise<void> {
    this.grudge = {};
    this.shapes = new Map();
    await this.applyAll();
  }

  /** Remove every rule and qdisc of the run from every host, reachable or not (what fails is thrown after trying all). */
  async close(): Promise<void> {
    this.grudge = {};
    this.shapes = new Map();
    await this.applyAll();
  }

  describe(): SshNetDescription {
    const shaped: Record<string, LinkShape> = {};
    for (const name of [...this.shapes.keys()].sort(byName)) shaped[name] = (this.shapes.get(name) as { shape: LinkShape }).shape;
    const proxy = this.proxies?.mechanism ?? 'none';
    return {
      kind: 'ssh',
      run: this.runId,
      addresses: Object.fromEntries(this.hosts.map((h) => [h.node, h.address])),
      grudge: this.grudge,
      text: describeGrudge(this.grudge, this.hosts.map((h) => h.node)),
      blocked: cutLinks(this.grudge).map(({ from, to }) => key(from, to)),
      shaped,
      mechanisms: {
        partition: `nft table inet ${this.table} on each host: input drops by source address (output drops towards the clients)`,
        loss: `nft numgen random drops in that table on the receiving host`,
        latency: this.netem ? 'tc netem on the sending host (an htb class and u32 filter per link)' : proxy,
        bandwidth: proxy,
      },
    };
  }

  private host(node: string): NetHost {
    const host = this.byNode.get(node);
    if (!host) throw new Error(`no node named ${node} in this network`);
    return host;
  }

  private async applyAll(): Promise<void> {
    const work = [this.applyFirewalls(), this.applyQueues()];
    if (this.proxies) work.push(this.proxies.setDelays([...this.shapes.values()].filter((s) => s.link.from !== CLIENTS && s.link.to !== CLIENTS)));
    const failed = (await Promise.allSettled(work)).find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  /** Each host's nft script from the grudge and the loss shapes; applied where it changed. */
  private async applyFirewalls(): Promise<void> {
    const input = new Map<string, string[]>(this.hosts.map((h) => [h.node, []]));
    const output = new Map<string, string[]>(this.hosts.map((h) => [h.node, []]));
    const drop = (from: string, to: string, match: string): void => {
      if (to !== CLIENTS) input.get(to)?.push(`ip saddr ${from === CLIENTS ? this.host(to).harnessAddress : this.host(from).address}${match} drop`);
      else output.get(from)?.push(`ip daddr ${this.host(from).harnessAddress}${match} drop`);
    };
    for (const { from, to } of cutLinks(this.grudge)) drop(from, to, '');
    for (const { link, shape } of this.shapes.values()) {
      const p = shape.loss ?? 0;
      if (p > 0) drop(link.from, link.to, p >= 1 ? '' : ` numgen random mod ${LOSS_SCALE} < ${Math.round(p * LOSS_SCALE)}`);
    }
    const work = this.hosts.map(async (host) => {
      const ins = input.get(host.node) ?? [];
      const outs = output.get(host.node) ?? [];
      const script = ins.length + outs.length === 0 ? '' : this.tableScript(host, ins, outs);
      if ((this.applied.get(host.node) ?? '') === script) return;
      const reset = `table inet ${this.table}\ndelete table inet ${this.table}\n`;
      await this.root(host, 'nft -f -', 'applying firewall rules (nft)', reset + script);
      this.applied.set(host.node, script);
    });
    const failed = (await Promise.allSettled(work)).find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  private tableScript(host: NetHost, ins: string[], outs: string[]): string {
    const ssh = host.conn.host.port;
    const comment = `comment "faultline run ${this.runId}"`;
    return [
      `table inet ${this.table} {`,
      '  chain input {',
      '    type filter hook input priority -10; policy accept;',
      `    tcp dport ${ssh} accept`,
      ...ins.map((r) => `    ${r} ${comment}`),
      '  }',
      '  chain output {',
      '    type filter hook output priority -10; policy accept;',
      `    tcp sport ${ssh} accept`,
      ...outs.map((r) => `    ${r} ${comment}`),
      '  }',
      '}',
      '',
    ].join('\n');
  }

  /** netem delays per sending host, where netem is used; devices are noted for cleaning. */
  private async applyQueues(): Promise<void> {
    if (!this.netem) return;
    const work = this.hosts.map(async (host) => {
      const links = [...this.shapes.values()].filter((s) => s.link.from === host.node && s.link.to !== CLIENTS && hasDelay(s.shape));
      const byDevice = new Map<string, { to: string; delayMs: number; jitterMs: number }[]>();
      for (const { link, shape } of links) {
        const to = this.host(link.to).address;
        const dev = host.devices?.[to];
        if (!dev) throw new Error(`host ${host.node}: no route to ${to} was found for netem`);
        byDevice.set(dev, [...(byDevice.get(dev) ?? []), { to, delayMs: shape.latencyMs ?? 0, jitterMs: shape.jitterMs ?? 0 }]);
      }
      const lines = [...byDevice].flatMap(([dev, l]) => linkQueueLines(dev, l));
      const text = lines.join('\n');
      const was = this.queued.get(host.node) ?? '';
      if (was === text) return;
      const devices = [...new Set(Object.values(host.devices ?? {}))];
      const file = `${host.runDir}/${TC_DEVICES_FILE}`;
      const script = [
        ...devices.map((d) => `tc qdisc del dev ${shq(d)} root 2>/dev/null`),
        `printf '%s\\n' ${[...byDevice.keys()].map(shq).join(' ')} > ${shq(file)}`,
        ...(lines.length > 0 ? ['tc -batch -'] : []),
      ].join('; ');
      await this.root(host, script, 'applying netem delays (tc)', lines.length > 0 ? `${text}\n` : '');
      this.queued.set(host.node, text);
    });
    const failed = (await Promise.allSettled(work)).find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  /** Run `script` as root on `host`, with one clear line for the usual ways that fails. */
  private async root(host: NetHost, script: string, what: string, input: string): Promise<void> {
    try {
      await host.conn.run(script, what, { root: true, input });
    } catch (err) {
      if (!(err instanceof RemoteCommandError)) throw err;
      const said = err.result.stderr;
      if (err.result.code === 127 || /not found/.test(said)) {
        throw new UserError(`host ${host.node} has no ${script.split(' ')[0]}: install nftables there (apt-get install nftables) for partitions and loss`);
      }
      if (/Operation not permitted|Permission denied/i.test(said)) {
        throw new UserError(`host ${host.node}: ${what} needs root; log in as root, or set "sudo": true (--ssh-sudo true) with passwordless sudo`);
      }
      throw err;
    }
  }
}
