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
import { sharedSignal } from '../shared-signal.js';
import { UserError } from '../user-error.js';
import { netMode, type NetMode, type NodeNetwork } from './net-setup.js';
import type { RunDirs } from './run-dir.js';
import { nodeNames } from './node-names.js';

/** From the start of the network until the system says it is ready. */
const READY_TIMEOUT_MS = 30_000;
/** Node starts in progress at once: a burst of process spawns would stall the harness (and its Ctrl-C) and gains nothing. */
const STARTS_AT_ONCE = 8;

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
  // One deadline for the whole start (network, processes, readiness); an interrupt ends the wait
  // at once, and the teardown then undoes whatever was made, even if it is made only later.
  const startSignal = sharedSignal(signal, AbortSignal.timeout(READY_TIMEOUT_MS));
  const late = (what: () => string) => (err: unknown): never => {
    if (signal.aborted || !startSignal.aborted) throw err;
    throw new UserError(`${system.name} did not start: ${what()} after ${READY_TIMEOUT_MS / 1000} s (too many --nodes for this machine?)`);
  };
  const making = mode.start(nodes, spec.seed, { root: dirs.root, scratch: dirs.scratch }, startSignal);
  track(async () => (await making.catch(() => undefined))?.close());
  const network = await untilAborted(making, startSignal).catch(late(() => `its network of ${nodes.length} nodes was not set up`));

  const plans: Record<string, NodePlan> = {};
  nodes.forEach((id, index) => {
    const dataDir = join(dirs.scratch, id);
    mkdirSync(dataDir, { recursive: true });
    plans[id] = {
      id,
      index,
      nodes,
      dataDir,
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
  await startNodes(cluster, nodes, startSignal).catch(late(() => `${nodes.filter((n) => !cluster.isRunning(n)).length} of ${nodes.length} nodes had not started`));
  try {
    await system.ready?.(cluster, startSignal);
  } catch (err) {
    if (signal.aborted) throw err;
    const down = nodes.filter((n) => !cluster.isRunning(n));
    const why = down.length > 0 ? `nodes ${down.join(', ')} exited` : `it was not ready within ${READY_TIMEOUT_MS / 1000} s`;
    throw new UserError(`${system.name} did not start: ${why}; see the node logs in ${join(dirs.root, 'nodes')}`);
  }
  return { cluster, net: network.net, network, startS: (performance.now() - t0) / 1000 };
}

/** Start `nodes`, a few at a time; fails at the first node that cannot start, or when `signal` aborts. */
async function startNodes(cluster: LocalCluster, nodes: readonly string[], signal: AbortSignal): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < nodes.length && !signal.aborted) await cluster.start(nodes[next++]!);
  };
  await untilAborted(Promise.all(Array.from({ length: Math.min(STARTS_AT_ONCE, nodes.length) }, worker)), signal);
}

/** `work`, or its abort reason as soon as `signal` aborts (the work goes on; its owner cleans up after it). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      const fail = (): void => reject(signal.reason);
      if (signal.aborted) fail();
      else signal.addEventListener('abort', fail, { once: true });
    }),
  ]);
}
