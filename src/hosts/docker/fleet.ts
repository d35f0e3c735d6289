/**
 * The containers and network of one `--hosts docker` run. Each node gets two containers:
 * - a sandbox `fl-<id>-<node>-net` (the base image running `sleep infinity`) that owns the node's
 *   network namespace and its fixed address on the run's network `fl-<id>`, with the node's name
 *   as its DNS alias. Its namespace (`/proc/<sandbox pid>/ns/net`) is where faultline puts the
 *   node's partition and loss rules and its fault proxy; since the sandbox is never killed, these
 *   stay in force while the node is killed and restarted, and the address never changes;
 * - the node `fl-<id>-<node>`, created stopped, in the sandbox's namespace (`container:` network
 *   mode), which the cluster starts, stops, kills and pauses (./docker-cluster.ts).
 * Everything carries the run's labels (./daemon.ts LABELS), so `faultline clean` can find what a
 * run killed with -9 left. `remove()` deletes it all and is idempotent.
 */
import type Docker from 'dockerode';
import { IMAGE_SLEEP } from './image.js';
import { idempotent } from './daemon.js';

/** A node container to create. */
export interface NodeContainer {
  node: string;
  image: string;
  cmd: string[];
  env: Record<string, string>;
  /** `uid:gid` the node runs as. */
  user: string;
  /** `host-path:container-path[:ro]` bind mounts. */
  binds: string[];
}

export interface FleetOptions {
  docker: Docker;
  /** The run's short id: names `fl-<id>` and `fl-<id>-<node>`. */
  id: string;
  labels: Record<string, string>;
  nodes: readonly string[];
  /** The image sandboxes run (it has {@link IMAGE_SLEEP}). */
  sandboxImage: string;
  user: string;
  signal: AbortSignal;
}

/** 'a.b.c.d' as a number. */
function ipToInt(ip: string): number {
  return ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

function intToIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** Node addresses in `subnet`: from the second host address on, skipping the gateway. */
export function nodeAddresses(subnet: string, gateway: string, count: number): string[] {
  const [base, bits] = subnet.split('/') as [string, string];
  const size = 2 ** (32 - Number(bits));
  const first = ipToInt(base);
  const out: string[] = [];
  for (let n = first + 2; out.length < count; n++) {
    if (n >= first + size - 1) throw new Error(`subnet ${subnet} has room for fewer than ${count} nodes`);
    if (intToIp(n) !== gateway) out.push(intToIp(n));
  }
  return out;
}

/**
 * Wait for every one of `work`, then throw the first failure: what is still being made when one
 * fails must exist before a removal runs, or the removal would miss it.
 */
export async function allSettledOrThrow(work: readonly Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(work)).find((m): m is PromiseRejectedResult => m.status === 'rejected');
  if (failed) throw failed.reason;
}

export class Fleet {
  /** The run's network. */
  readonly network: string;
  subnet = '';
  /** The network's gateway: the address the harness's clients come from, as the nodes see it. */
  gateway = '';
  /** Each node's address. */
  readonly addresses: Record<string, string> = {};
  private readonly sandboxPids: Record<string, number> = {};
  private readonly made: { kind: 'container' | 'network'; name: string }[] = [];

  private constructor(private readonly opts: FleetOptions) {
    this.network = `fl-${opts.id}`;
  }

  /**
   * Make the run's network and every node's sandbox, started.
   * @throws after removing what it made, when the daemon refuses or `signal` aborts.
   */
  static async create(opts: FleetOptions): Promise<Fleet> {
    const fleet = new Fleet(opts);
    try {
      await fleet.makeNetwork();
      opts.signal.throwIfAborted();
      // All at once: each create and start is a round of the daemon's own work (runc, mounts,
      // the bridge port), which on a loaded machine takes seconds; in turn they add up.
      await allSettledOrThrow(opts.nodes.map((node) => fleet.makeSandbox(node)));
    } catch (err) {
      await fleet.remove();
      throw err;
    }
    return fleet;
  }

  /** The container name of a node. */
  containerOf(node: string): string {
    return `fl-${this.opts.id}-${node}`;
  }

  /** The node's network namespace, entered from this machine. */
  namespaceOf(node: string): string {
    const pid = this.sandboxPids[node];
    if (pid === undefined) throw new Error(`no sandbox for node ${node}`);
    return `/proc/${pid}/ns/net`;
  }

  /** Create a node's container (stopped) in its sandbox's namespace. */
  async createNode(spec: NodeContainer): Promise<void> {
    this.opts.signal.throwIfAborted();
    const name = this.containerOf(spec.node);
    this.made.push({ kind: 'container', name });
    await this.opts.docker.createContainer({
      name,
      Image: spec.image,
      Cmd: spec.cmd,
      Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
      User: spec.user,
      Labels: this.opts.labels,
      HostConfig: { NetworkMode: `container:${this.sandboxOf(spec.node)}`, Binds: spec.binds },
    });
  }

  /** Remove every container (nodes before sandboxes) and the network. Idempotent. */
  async remove(): Promise<void> {
    const { docker } = this.opts;
    const containers = this.made.filter((m) => m.kind === 'container').reverse();
    const nodes = containers.filter((m) => !m.name.endsWith('-net'));
    const sandboxes = containers.filter((m) => m.name.endsWith('-net'));
    for (const group of [nodes, sandboxes]) {
      await Promise.all(group.map((m) => idempotent(() => docker.getContainer(m.name).remove({ force: true, v: true }))));
    }
    for (const m of this.made.filter((x) => x.kind === 'network')) await idempotent(() => docker.getNetwork(m.name).remove());
    this.made.length = 0;
  }

  private sandboxOf(node: string): string {
    return `${this.containerOf(node)}-net`;
  }

  /**
   * A user-defined bridge with a subnet of the daemon's own choosing (it avoids the host's routes
   * and its other networks), made again with that subnet stated, since only then may containers
   * have fixed addresses on it.
   */
  private async makeNetwork(): Promise<void> {
    const { docker, labels } = this.opts;
    this.made.push({ kind: 'network', name: this.network });
    const probe = await docker.createNetwork({ Name: this.network, Driver: 'bridge', Labels: labels, CheckDuplicate: true });
    const info = (await probe.inspect()) as { IPAM?: { Config?: { Subnet?: string; Gateway?: string }[] } };
    await probe.remove();
    const config = info.IPAM?.Config?.find((c) => c.Subnet?.includes('.'));
    if (!config?.Subnet) throw new Error(`the daemon gave network ${this.network} no IPv4 subnet`);
    this.subnet = config.Subnet;
    this.gateway = config.Gateway ?? intToIp(ipToInt(config.Subnet.split('/')[0] as string) + 1);
    await docker.createNetwork({
      Name: this.network,
      Driver: 'bridge',
      Labels: labels,
      CheckDuplicate: true,
      IPAM: { Config: [{ Subnet: this.subnet, Gateway: this.gateway }] },
    });
    const addresses = nodeAddresses(this.subnet, this.gateway, this.opts.nodes.length);
    this.opts.nodes.forEach((node, i) => (this.addresses[node] = addresses[i] as string));
  }

  private async makeSandbox(node: string): Promise<void> {
    const { docker, labels } = this.opts;
    const name = this.sandboxOf(node);
    this.made.push({ kind: 'container', name });
    const container = await docker.createContainer({
      name,
      Image: this.opts.sandboxImage,
      Cmd: [IMAGE_SLEEP, 'infinity'],
      Hostname: node,
      User: this.opts.user,
      Labels: labels,
      HostConfig: { NetworkMode: this.network },
      NetworkingConfig: { EndpointsConfig: { [this.network]: { IPAMConfig: { IPv4Address: this.addresses[node] }, Aliases: [node] } } },
    });
    await container.start();
    const pid = (await container.inspect()).State.Pid;
    if (!pid) throw new Error(`the sandbox of ${node} did not start`);
    this.sandboxPids[node] = pid;
  }
}
