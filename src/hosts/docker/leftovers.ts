/**
 * What `faultline clean` removes for `--hosts docker`: containers and networks of runs whose
 * harness is gone (a run killed with -9 leaves its containers running: nothing on this machine
 * tethers them), found by the labels every run puts on what it makes (./daemon.ts), on the daemon
 * DOCKER_HOST names and on the faultline lab's when it is up; and a lab whose dockerd died. A run
 * in progress (its harness alive) is never touched, nor one started from another machine.
 */
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import type Docker from 'dockerode';
import type { CleanReport, HostCleaner } from '../../api/host.js';
import { harnessPid, identityAlive } from '../../process-identity.js';
import { answers, daemonAddress, dockerAt, idempotent, LABELS } from './daemon.js';
import { LAB_SOCKET, removeDeadLab } from './lab.js';

/** The local daemons to look at: DOCKER_HOST's (or the default) and the lab's, when their sockets exist. */
function daemonSockets(): string[] {
  return [...new Set([daemonAddress().socket, LAB_SOCKET])].filter((s): s is string => s !== undefined && existsSync(s));
}

/** Whether a run's things must stay: its harness lives, or runs on another machine, or is not recorded. */
function keep(labels: Readonly<Record<string, string>>): boolean {
  const harness = labels[LABELS.harness];
  return harness === undefined || labels[LABELS.machine] !== hostname() || identityAlive(harness);
}

/** Remove the containers and networks of dead runs on `docker`; one line per thing removed. */
export async function cleanDaemon(docker: Docker, where: string): Promise<CleanReport> {
  const report: CleanReport = { removed: [], problems: [] };
  const filters = { label: [LABELS.run] };
  const containers = (await docker.listContainers({ all: true, filters })).filter((c) => !keep(c.Labels));
  // Nodes before the sandboxes whose namespaces they share.
  containers.sort((a, b) => Number(a.Names[0]?.endsWith('-net')) - Number(b.Names[0]?.endsWith('-net')));
  for (const c of containers) {
    try {
      await idempotent(() => docker.getContainer(c.Id).remove({ force: true, v: true }));
      report.removed.push(`removed container ${c.Names[0]?.replace(/^\//, '') ?? c.Id} of run ${c.Labels[LABELS.runDir] ?? c.Labels[LABELS.run]} (harness ${harnessPid(c.Labels[LABELS.harness] ?? '')} is gone) from ${where}`);
    } catch (err) {
      report.problems.push(`cannot remove container ${c.Id.slice(0, 12)} from ${where}: ${(err as Error).message}`);
    }
  }
  const networks = (await docker.listNetworks({ filters })).filter((n) => !keep(n.Labels ?? {}));
  for (const n of networks) {
    try {
      await idempotent(() => docker.getNetwork(n.Id).remove());
      report.removed.push(`removed network ${n.Name} from ${where}`);
    } catch (err) {
      report.problems.push(`cannot remove network ${n.Name} from ${where}: ${(err as Error).message}`);
    }
  }
  return report;
}

export const dockerRunCleaner: HostCleaner = {
  name: 'docker containers',
  unavailable: () => (daemonSockets().length === 0 ? 'no Docker daemon socket on this machine' : undefined),
  async clean() {
    const report: CleanReport = { removed: [], problems: [] };
    for (const socket of daemonSockets()) {
      const docker = dockerAt(socket);
      // A socket nobody answers on (a daemon that is not running) has nothing to clean.
      if (!(await answers(docker))) continue;
      const done = await cleanDaemon(docker, `unix://${socket}`);
      for (const item of done.removed) report.removed.push(item);
      for (const problem of done.problems) report.problems.push(problem);
    }
    return report;
  },
};

export const dockerLabCleaner: HostCleaner = {
  name: 'docker lab',
  lab: true,
  unavailable: () => (process.getuid?.() !== 0 ? 'needs root' : undefined),
  clean: async () => ({ removed: await removeDeadLab(), problems: [] }),
};
