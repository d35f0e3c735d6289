/**
 * Bring up a cluster of local node processes: the network of the run's mode (see net-setup.ts:
 * the fault proxy, or a namespace per node), node plans, the node processes, and a wait until
 * the system says it is ready.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { NodePlan, SystemDef } from '../api/cluster.js';
import type { Net } from '../api/net.js';
import type { TestSpec } from '../api/test-spec.js';
import { LocalCluster } from '../hosts/local/local-cluster.js';
import { UserError } from '../user-error.js';
import { netMode, type NetMode, type NodeNetwork } from './net-setup.js';
import type { RunDirs } from './run-dir.js';
import { nodeNames } from './node-names.js';

const READY_TIMEOUT_MS = 30_000;

export interface StartedCluster {
  cluster: LocalCluster;
  net: Net;
  /** Addresses, launch wrapping and the Net's snapshot, as the run's network mode made them. */
  network: NodeNetwork;
  /** Seconds from the first node start until ready. */
  startS: number;
}

/**
 * Start everything; `track` receives each resource's cleanup as soon as it exists, so an
 * interrupt at any point can undo exactly what was made.
 */
export async function startCluster(
  spec: TestSpec,
  system: SystemDef,
  dirs: RunDirs,
  signal: AbortSignal,
  track: (cleanup: () => Promise<void>) => void,
  onCrash: (node: string, how: string) => void,
  mode: NetMode = netMode(spec.net),
): Promise<StartedCluster> {
  const nodes = nodeNames(spec.nodes);
  const network = await mode.start(nodes, spec.seed, { root: dirs.root, scratch: dirs.scratch });
  track(() => network.close());

  const plans: Record<string, NodePlan> = {};
  nodes.forEach((id, index) => {
    const dataDir = join(dirs.scratch, id);
    mkdirSync(dataDir, { recursive: true });
    plans[id] = {
      id,
      index,
      nodes,
      dataDir,
      // Nodes write their message traces straight into the run directory, beside their logs.
      logDir: join(dirs.root, 'nodes'),
      peerListen: network.peerListen[id] as string,
      clientListen: network.clientListen[id] as string,
      peers: Object.fromEntries(nodes.filter((p) => p !== id).map((p) => [p, network.peerAddress(id, p)])),
      clockFile: join(dirs.scratch, `${id}.clock`),
      bugs: spec.bugs,
      options: spec.clusterOptions,
    };
  });
  const cluster = new LocalCluster({
    runDir: dirs.root,
    system,
    plans,
    clientAddresses: network.clientAddresses,
    wrapLaunch: (node, launch) => network.wrapLaunch(node, launch),
    logFile: dirs.logFile,
    onCrash,
  });
  track(() => cluster.teardown());

  const t0 = performance.now();
  // Wait for every start to settle, so teardown sees every node that did start.
  const starts = await Promise.allSettled(nodes.map((n) => cluster.start(n)));
  const failed = starts.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  if (system.ready) {
    const timeout = AbortSignal.timeout(READY_TIMEOUT_MS);
    const either = AbortSignal.any([signal, timeout]);
    try {
      await system.ready(cluster, either);
    } catch (err) {
      if (signal.aborted) throw err;
      const down = nodes.filter((n) => !cluster.isRunning(n));
      const why = down.length > 0 ? `nodes ${down.join(', ')} exited` : `it was not ready within ${READY_TIMEOUT_MS / 1000} s`;
      throw new UserError(`${system.name} did not start: ${why}; see the node logs in ${join(dirs.root, 'nodes')}`);
    }
  }
  return { cluster, net: network.net, network, startS: (performance.now() - t0) / 1000 };
}
