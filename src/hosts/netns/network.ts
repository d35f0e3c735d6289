/**
 * `--net netns` on the embedded default: each node runs in its own namespace of the run's lab
 * (made by ./enclave.ts before faultline re-executed itself in the lab's control namespace) and
 * listens on its own address at fixed ports. Clients dial those addresses directly; nodes dial
 * their peers through a fault proxy process in their own namespace (proxy-control.ts), which adds
 * latency and jitter (this kernel has no netem) while the connection still leaves from the
 * node's address, so partitions (nft rules at the lab's bridge), loss and bandwidth act on it.
 */
import { UserError } from '../../user-error.js';
import { assertInNamespace, launchInNamespace } from '../../net/netns/in-namespace.js';
import { labNodesProblem, readLab, type LabHost } from '../../net/netns/lab.js';
import { NetnsNet } from '../../net/netns/netns-net.js';
import { NamespaceProxies } from '../../net/netns/proxy-control.js';
import { RUN_ENV } from '../local/local-cluster.js';
import type { LocalNetworkMode } from '../local/network.js';
import { HARNESS_ENV, processIdentity } from '../../process-identity.js';

/** Fixed ports: every node has its own namespace, so they never collide. */
export const NETNS_PEER_PORT = 7000;
export const NETNS_CLIENT_PORT = 7001;

export const netnsNetwork: LocalNetworkMode = {
  description:
    'a network namespace and address per node on a bridge, partitions as nft rules there, loss by iptables, ' +
    'latency by a fault proxy per namespace; the harness runs in a control namespace (root only)',
  check(spec) {
    const problem = labNodesProblem(spec.nodes);
    if (problem) throw new UserError(`--net netns: ${problem}`);
  },
  // Latency and jitter come from the per-node fault proxies, so nothing is lacking.
  lacks: async () => ({}),
  async start({ spec, dirs, enclave }) {
    if (!enclave) throw new UserError('--net netns: this process is not the control side of a lab; run `faultline test --net netns`, which makes one');
    const lab = readLab(enclave.token);
    if (!lab) throw new UserError(`--net netns: lab ${enclave.token} is gone (removed while the run started?)`);
    // Before anything here can dial a lab address: this process must be inside the lab.
    assertInNamespace(lab.control.address);
    const host = (node: string): LabHost => {
      const h = lab.nodes[node];
      if (!h) throw new Error(`lab ${lab.id} has no node ${node}`);
      return h;
    };
    const map = (port: number): Record<string, string> => Object.fromEntries(spec.nodes.map((n) => [n, `${host(n).address}:${port}`]));
    const clientListen = map(NETNS_CLIENT_PORT);
    const peerListen = map(NETNS_PEER_PORT);
    const env = { [RUN_ENV]: dirs.run, [HARNESS_ENV]: processIdentity() };
    const proxies = await NamespaceProxies.start({ lab, nodes: spec.nodes, dir: dirs.scratch, peerTargets: peerListen, seed: spec.seed, env });
    const net = new NetnsNet(lab, proxies);
    return {
      net,
      peerListen,
      clientListen,
      clientAddresses: clientListen,
      peerAddress: (from, to) => proxies.peerAddress(from, to),
      wrapLaunch: (node, launch) => launchInNamespace(launch, host(node).ns),
      describe: () => net.describe(),
      // The lab itself (namespaces, rules and all) goes with the enclave; this lifts faults early.
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
