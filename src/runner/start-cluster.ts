/**
 * Bring up a cluster on the spec's host backend: its hosts and network (HostBackend.setUp), every
 * node started, and a wait until the system says it is ready. Used by every run and by the host
 * conformance suite, so both take exactly this path.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { SystemDef } from '../api/cluster.js';
import type { Enclave, HostBackend, Hosts, HostSpec } from '../api/host.js';
import { UserError } from '../user-error.js';
import type { RunDirs } from './run-dir.js';

const READY_TIMEOUT_MS = 30_000;

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

/** Set up the hosts, start every node and wait until the system is ready. */
export async function startCluster(req: StartRequest): Promise<StartedCluster> {
  const { backend, spec, system, dirs, signal } = req;
  const hosts = await backend.setUp({
    spec,
    system,
    dirs: { run: dirs.root, scratch: dirs.scratch, logFile: dirs.logFile },
    ...(req.enclave && { enclave: req.enclave }),
    onCrash: req.onCrash,
    signal,
  });
  req.track(() => hosts.tearDown());
  const { cluster } = hosts;
  const t0 = performance.now();
  // Wait for every start to settle, so teardown sees every node that did start.
  const starts = await Promise.allSettled(cluster.nodes.map((n) => cluster.start(n)));
  const failed = starts.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  if (system.ready) {
    const timeout = AbortSignal.timeout(READY_TIMEOUT_MS);
    const either = AbortSignal.any([signal, timeout]);
    try {
      await system.ready(cluster, either);
    } catch (err) {
      if (signal.aborted) throw err;
      const down = cluster.nodes.filter((n) => !cluster.isRunning(n));
      const why = down.length > 0 ? `nodes ${down.join(', ')} exited` : `it was not ready within ${READY_TIMEOUT_MS / 1000} s`;
      throw new UserError(`${system.name} did not start: ${why}; see the node logs in ${join(dirs.root, 'nodes')}`);
    }
  }
  return { hosts, startS: (performance.now() - t0) / 1000 };
}
