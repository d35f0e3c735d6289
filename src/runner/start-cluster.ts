/**
 * Bring up a cluster on the spec's host backend: its hosts and network (HostBackend.setUp), every
 * node started, and a wait until the system says it is ready. Used by every run and by the host
 * conformance suite, so both take exactly this path.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Cluster, SystemDef } from '../api/cluster.js';
import type { Enclave, HostBackend, Hosts, HostSpec } from '../api/host.js';
import { sharedSignal } from '../shared-signal.js';
import { UserError } from '../user-error.js';
import type { RunDirs } from './run-dir.js';

/** From the start of the hosts' set-up until the system says it is ready. */
const READY_TIMEOUT_MS = 30_000;
/** Node starts in progress at once: a burst of process spawns would stall the harness (and its Ctrl-C) and gains nothing. */
const STARTS_AT_ONCE = 8;

export interface StartedCluster {
  hosts: Hosts;
  /** Seconds from the first node start until ready. */
  startS: number;
}

export interface StartRequest {
  backend: HostBackend;
  spec: HostSpec;
  system: SystemDef;
  dirs: Pick<RunDirs, 'root' | 'scratch' | 'logFile'>;
  enclave?: Enclave;
  signal: AbortSignal;
  /** Receives the hosts' teardown as soon as they exist, so an interrupt at any point undoes exactly what was made. */
  track: (cleanup: () => Promise<void>) => void;
  onCrash: (node: string, how: string) => void;
}

/**
 * Set up the hosts, start every node and wait until the system is ready, all within one deadline;
 * an interrupt ends the wait at once, and the teardown then undoes whatever was made, even what is
 * made only later.
 */
export async function startCluster(req: StartRequest): Promise<StartedCluster> {
  const { backend, spec, system, dirs, signal } = req;
  const startSignal = sharedSignal(signal, AbortSignal.timeout(READY_TIMEOUT_MS));
  const late = (what: () => string) => (err: unknown): never => {
    if (signal.aborted || !startSignal.aborted) throw err;
    throw new UserError(`${system.name} did not start: ${what()} after ${READY_TIMEOUT_MS / 1000} s (too many nodes for this machine?)`);
  };
  const making = backend.setUp({
    spec,
    system,
    dirs: { run: dirs.root, scratch: dirs.scratch, logFile: dirs.logFile },
    ...(req.enclave && { enclave: req.enclave }),
    onCrash: req.onCrash,
    signal: startSignal,
  });
  req.track(async () => (await making.catch(() => undefined))?.tearDown());
  const hosts = await untilAborted(making, startSignal).catch(late(() => `its hosts and network for ${spec.nodes.length} nodes were not set up`));
  const { cluster } = hosts;
  const t0 = performance.now();
  await startNodes(cluster, startSignal).catch(late(() => `${cluster.nodes.filter((n) => !cluster.isRunning(n)).length} of ${cluster.nodes.length} nodes had not started`));
  try {
    // A system's readiness check is bounded by the start's deadline and the interrupt even when
    // it ignores its signal: a hung check must not hang the harness.
    if (system.ready) await untilAborted(system.ready(cluster, startSignal), startSignal);
  } catch (err) {
    if (signal.aborted) throw err;
    const down = cluster.nodes.filter((n) => !cluster.isRunning(n));
    const why = down.length > 0 ? `nodes ${down.join(', ')} exited` : `it was not ready within ${READY_TIMEOUT_MS / 1000} s`;
    throw new UserError(`${system.name} did not start: ${why}; see the node logs in ${join(dirs.root, 'nodes')}`);
  }
  return { hosts, startS: (performance.now() - t0) / 1000 };
}

/** Start every node, a few at a time; fails at the first node that cannot start, or when `signal` aborts. */
async function startNodes(cluster: Cluster, signal: AbortSignal): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cluster.nodes.length && !signal.aborted) await cluster.start(cluster.nodes[next++]!);
  };
  await untilAborted(Promise.all(Array.from({ length: Math.min(STARTS_AT_ONCE, cluster.nodes.length) }, worker)), signal);
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
