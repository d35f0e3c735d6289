/**
 * Why: the network mode (`--net proxy|netns`) decides four things about a run's nodes: the
 * addresses they listen on, the addresses they and the clients dial, how their processes are
 * launched, and which `Net` the nemeses drive. Each mode answers all four in one object here, so
 * start-cluster stays a single code path, and each mode says, before anything starts, which
 * nemesis requirements it cannot meet on this machine, so such a run is refused up front
 * instead of failing mid-run.
 *
 * - `proxy`: nodes listen on free ports of 127.0.0.1 and dial each other, and clients dial
 *   them, through the fault proxy (no root).
 * - `netns`: this process must be the control side of a lab (re-executed by netns-run.ts); each
 *   node runs in its own namespace and listens on its own address at fixed ports; clients dial
 *   those addresses directly, and nodes dial their peers through a fault proxy process in their
 *   own namespace (proxy-control.ts), which adds latency and jitter (this kernel has no netem)
 *   while the connection still leaves from the node's address, so partitions (nft rules at the
 *   lab's bridge), loss and bandwidth act on it as before.
 */
import type { NodeLaunch } from '../api/cluster.js';
import type { Net } from '../api/net.js';
import type { TestSpec } from '../api/test-spec.js';
import { allocatePort } from '../hosts/local/ports.js';
import { RUN_ENV } from '../hosts/local/local-cluster.js';
import { HARNESS_ENV, processIdentity } from '../hosts/local/process-identity.js';
import { assertInNamespace, controlFromEnv, launchInNamespace } from '../net/netns/in-namespace.js';
import { readLab, type LabHost } from '../net/netns/lab.js';
import { NetnsNet } from '../net/netns/netns-net.js';
import { NamespaceProxies } from '../net/netns/proxy-control.js';
import { ProxyNet } from '../net/proxy/proxy-net.js';
import { UserError } from '../user-error.js';
import type { ResolveOptions } from './resolve.js';

/** A network mode's name, as `--net` takes it and results.json stores it. */
export type NetModeName = TestSpec['net'];

/** Nemesis requirements a mode cannot meet here, each with what to use instead and why. */
export type NetLacks = NonNullable<ResolveOptions['netLacks']>;

/** The run's directories a mode may use: the results directory and the scratch directory. */
export interface NetDirs {
  root: string;
  scratch: string;
}

/** The network of one run's nodes, made by {@link NetMode.start}. */
export interface NodeNetwork {
  /** What the nemeses drive. */
  readonly net: Net;
  /** host:port each node listens on for its peers. */
  readonly peerListen: Readonly<Record<string, string>>;
  /** host:port each node listens on for clients. */
  readonly clientListen: Readonly<Record<string, string>>;
  /** host:port a client dials to reach each node. */
  readonly clientAddresses: Readonly<Record<string, string>>;
  /** host:port node `from` dials to reach node `to`. */
  peerAddress(from: string, to: string): string;
  /** A node's launch as this mode runs it (in netns mode: inside the node's namespace). */
  wrapLaunch(node: string, launch: NodeLaunch): NodeLaunch;
  /** The Net's snapshot for results.json. */
  describe(): unknown;
  /** Undo what {@link NetMode.start} set up; called after the nodes are gone. */
  close(): Promise<void>;
}

/** One `--net` mode. */
export interface NetMode {
  readonly name: NetModeName;
  /** What this mode cannot do on this machine; checked against the nemeses before the run. */
  lacks(): Promise<NetLacks>;
  /**
   * Addresses and the Net for `nodes`; `seed` drives any randomness of the Net. `dirs` is where
   * helper processes leave their sockets and how they are marked as the run's (netns needs it).
   * `signal` ends a setup still under way (the proxy's).
   */
  start(nodes: readonly string[], seed: number, dirs?: NetDirs, signal?: AbortSignal): Promise<NodeNetwork>;
}

/** Fixed ports in netns mode: every node has its own namespace, so they never collide. */
export const NETNS_PEER_PORT = 7000;
export const NETNS_CLIENT_PORT = 7001;

const LOOPBACK = '127.0.0.1';

/**
 * The mode named `name`. For `netns` this process must already run in its lab's control
 * namespace: that is checked here, before anything can dial a lab address.
 * @throws NotInNamespaceError or UserError when `netns` is asked for outside a lab.
 */
export function netMode(name: NetModeName): NetMode {
  return name === 'netns' ? netnsMode() : proxyMode;
}

const proxyMode: NetMode = {
  name: 'proxy',
  lacks: async () => ({}),
  async start(nodes, seed, _dirs, signal) {
    const peerListen: Record<string, string> = {};
    const clientListen: Record<string, string> = {};
    for (const node of nodes) {
      peerListen[node] = `${LOOPBACK}:${await allocatePort()}`;
      clientListen[node] = `${LOOPBACK}:${await allocatePort()}`;
    }
    const net = await ProxyNet.start({ nodes: [...nodes], peerTargets: peerListen, clientTargets: clientListen, seed }, signal);
    return {
      net,
      peerListen,
      clientListen,
      clientAddresses: Object.fromEntries(nodes.map((n) => [n, net.clientAddress(n)])),
      peerAddress: (from, to) => net.peerAddress(from, to),
      wrapLaunch: (_node, launch) => launch,
      describe: () => net.describe(),
      close: () => net.close(),
    };
  },
};

function netnsMode(): NetMode {
  const control = controlFromEnv();
  if (!control) {
    throw new UserError('--net netns: this process is not the control side of a lab; run `faultline test --net netns`, which makes one');
  }
  assertInNamespace(control.address);
  const lab = readLab(control.labId);
  if (!lab) throw new UserError(`--net netns: lab ${control.labId} is gone (removed while the run started?)`);
  const host = (node: string): LabHost => {
    const h = lab.nodes[node];
    if (!h) throw new Error(`lab ${lab.id} has no node ${node}`);
    return h;
  };
  return {
    name: 'netns',
    // Latency and jitter come from the per-node fault proxies, so nothing is lacking.
    lacks: async () => ({}),
    async start(nodes, seed, dirs) {
      if (!dirs) throw new Error('--net netns needs the run directories (for the fault proxies\' sockets)');
      const at = (node: string, port: number): string => `${host(node).address}:${port}`;
      const map = (port: number): Record<string, string> => Object.fromEntries(nodes.map((n) => [n, at(n, port)]));
      const clientListen = map(NETNS_CLIENT_PORT);
      const peerListen = map(NETNS_PEER_PORT);
      const env = { [RUN_ENV]: dirs.root, [HARNESS_ENV]: processIdentity() };
      const proxies = await NamespaceProxies.start({ lab, nodes, dir: dirs.scratch, peerTargets: peerListen, seed, env });
      const net = new NetnsNet(lab, proxies);
      return {
        net,
        peerListen,
        clientListen,
        clientAddresses: clientListen,
        peerAddress: (from, to) => proxies.peerAddress(from, to),
        wrapLaunch: (node, launch) => launchInNamespace(launch, host(node).ns),
        describe: () => net.describe(),
        // The lab itself (namespaces, rules and all) is removed by the parent; this lifts faults early.
        close: async () => {
          try {
            await net.heal();
          } finally {
            await proxies.close();
          }
        },
      };
    },
  };
}
