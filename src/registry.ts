/**
 * The one map from names to plug-ins: systems, workloads, nemeses, host backends and checker models.
 * `faultline list` and the CLI's validation read it; nothing else imports the plug-in folders.
 */
import type { SystemDef } from './api/cluster.js';
import type { HostBackend } from './api/host.js';
import type { NemesisDef } from './api/nemesis.js';
import type { WorkloadDef } from './api/workload.js';
import { raftKv } from '../clusters/raft-kv/index.js';
import { memoryKv } from '../clusters/memory-kv/index.js';
import { multiPaxosKv } from '../clusters/multi-paxos-kv/index.js';
import { primaryBackup } from '../clusters/primary-backup/index.js';
import { register } from '../workloads/register.js';
import { partition } from '../nemeses/partition.js';
import { kill, restart } from '../nemeses/kill.js';
import { rollingRestart } from '../nemeses/rolling-restart.js';
import { pause } from '../nemeses/pause.js';
import { clock } from '../nemeses/clock.js';
import { latency, loss } from '../nemeses/latency.js';
import { localHosts } from './hosts/local/index.js';
import { closest } from './suggest.js';
import { UserError } from './user-error.js';

export const systems: Readonly<Record<string, SystemDef>> = Object.fromEntries(
  [raftKv, multiPaxosKv, primaryBackup, memoryKv].map((def) => [def.name, def]),
);

export const workloads: Readonly<Record<string, WorkloadDef>> = { [register.name]: register };

export const nemeses: Readonly<Record<string, NemesisDef>> = Object.fromEntries(
  [partition, kill, restart, rollingRestart, pause, clock, latency, loss].map((def) => [def.name, def]),
);

/** Where nodes run (`--hosts`): each backend with its `--net` modes (src/api/host.ts). */
export const hostBackends: Readonly<Record<string, HostBackend>> = { [localHosts.name]: localHosts };

/** The default of `--hosts`. */
export const DEFAULT_HOSTS = localHosts.name;

/** Look `name` up in `table`, or fail with one line naming the choices and the likely typo. */
export function lookup<T>(kind: string, table: Readonly<Record<string, T>>, name: string): T {
  const found = table[name];
  if (found !== undefined) return found;
  const guess = closest(name, Object.keys(table));
  const hint = guess ? `did you mean '${guess}'? ` : '';
  throw new UserError(`unknown ${kind} '${name}': ${hint}choose one of ${Object.keys(table).join(', ')} (see faultline list)`);
}
