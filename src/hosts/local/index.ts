/**
 * `--hosts local`, the embedded default: every node is a process on this machine (./local-cluster.ts)
 * with its data directory and clock file in the run's scratch directory, and `--net` chooses how
 * their links are made and broken: `proxy` (./proxy-network.ts) or `netns` (../netns/).
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { HostBackend, HostRequest, Hosts, PlacedNode } from '../../api/host.js';
import { UserError } from '../../user-error.js';
import { netnsEnclave, netnsLabCleaner } from '../netns/enclave.js';
import { netnsNetwork } from '../netns/network.js';
import { localProcessCleaner } from './leftovers.js';
import { LocalCluster } from './local-cluster.js';
import type { LocalNetwork, LocalNetworkMode } from './network.js';
import { proxyNetwork } from './proxy-network.js';

const MODES: Readonly<Record<string, LocalNetworkMode>> = { proxy: proxyNetwork, netns: netnsNetwork };

function mode(net: string): LocalNetworkMode {
  const found = MODES[net];
  if (!found) throw new UserError(`--hosts local has no --net ${net}: choose ${Object.keys(MODES).join(' or ')}`);
  return found;
}

/** Plans and paths of every node: data directory and clock file in the scratch directory. */
function place(req: HostRequest, network: LocalNetwork): PlacedNode[] {
  const { spec, dirs } = req;
  return spec.nodes.map((id, index) => {
    const dataDir = join(dirs.scratch, id);
    mkdirSync(dataDir, { recursive: true });
    const peers = Object.fromEntries(spec.nodes.filter((p) => p !== id).map((p) => [p, network.peerAddress(id, p)]));
    const seenAs = new Set(spec.nodes.filter((p) => p !== id).map((p) => network.peerAddress(p, id)));
    return {
      plan: {
        id,
        index,
        nodes: spec.nodes,
        dataDir,
        peerListen: network.peerListen[id] as string,
        clientListen: network.clientListen[id] as string,
        peers,
        ...(seenAs.size === 1 && { peerAdvertise: [...seenAs][0] as string }),
        clockFile: join(dirs.scratch, `${id}.clock`),
        // The node's message trace goes straight beside its log in the run directory: nothing to collect.
        logDir: dirname(dirs.logFile(id)),
        bugs: spec.bugs,
        options: spec.clusterOptions,
      },
      clientAddress: network.clientAddresses[id] as string,
      logFile: dirs.logFile(id),
    };
  });
}

export const localHosts: HostBackend = {
  name: 'local',
  description: 'node processes on this machine, each behind a tether that kills it if faultline dies (no Docker, no root)',
  nets: Object.fromEntries(Object.entries(MODES).map(([name, m]) => [name, m.description])),
  check(spec) {
    mode(spec.net).check(spec);
  },
  lacks: (spec) => mode(spec.net).lacks(),
  enclave: netnsEnclave,
  async setUp(req): Promise<Hosts> {
    const network = await mode(req.spec.net).start(req);
    let cluster: LocalCluster;
    try {
      cluster = new LocalCluster({
        runDir: req.dirs.run,
        system: req.system,
        nodes: place(req, network),
        wrapLaunch: (node, launch) => network.wrapLaunch(node, launch),
        onCrash: (node, how) => req.onCrash(node, how),
      });
    } catch (err) {
      await network.close();
      throw err;
    }
    let down: Promise<void> | undefined;
    return {
      cluster,
      net: network.net,
      describe: () => network.describe(),
      tearDown: () =>
        (down ??= cluster.teardown().finally(() => network.close())),
    };
  },
  cleaners: [localProcessCleaner, netnsLabCleaner],
};
