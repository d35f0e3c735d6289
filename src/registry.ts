/**
 * The registry: names to plug-ins (systems, workloads, nemeses, host backends). The bundled ones
 * are here from the start; plug-ins from outside join through {@link joinPlugin} (the CLI loads
 * them with src/plugin-loader.ts before it parses options). `faultline list` and the CLI's
 * validation read it; nothing else imports the plug-in folders.
 */
import type { SystemDef } from './api/cluster.js';
import type { HostBackend } from './api/host.js';
import { API_VERSION } from './api/index.js';
import type { NemesisDef } from './api/nemesis.js';
import type { Plugin } from './api/plugin.js';
import type { WorkloadDef } from './api/workload.js';
import { raftKv } from '../clusters/raft-kv/index.js';
import { memoryKv } from '../clusters/memory-kv/index.js';
import { multiPaxosKv } from '../clusters/multi-paxos-kv/index.js';
import { primaryBackup } from '../clusters/primary-backup/index.js';
import { etcd } from '../clusters/etcd/index.js';
import { gossipCounter } from '../clusters/gossip-counter/index.js';
import { lockService } from '../clusters/lock-service/index.js';
import { maelstrom } from '../clusters/maelstrom/index.js';
import { txn2pc } from '../clusters/txn-2pc/index.js';
import { txn3pc } from '../clusters/txn-3pc/index.js';
import { shardedKv } from '../clusters/sharded-kv/index.js';
import { register } from '../workloads/register.js';
import { counter } from '../workloads/counter.js';
import { set } from '../workloads/set.js';
import { listAppend } from '../workloads/list-append.js';
import { rwRegister } from '../workloads/rw-register.js';
import { uniqueIds } from '../workloads/unique-ids.js';
import { echo } from '../workloads/echo.js';
import { broadcast } from '../workloads/broadcast.js';
import { lock } from '../workloads/lock.js';
import { bank } from '../workloads/bank.js';
import { partition } from '../nemeses/partition.js';
import { bridgePrimary, partitionPrimary } from '../nemeses/partition-primary.js';
import { kill, restart } from '../nemeses/kill.js';
import { killAll } from '../nemeses/kill-all.js';
import { electionCrash } from '../nemeses/election-crash.js';
import { rollingRestart } from '../nemeses/rolling-restart.js';
import { pause } from '../nemeses/pause.js';
import { clock, clockPrimary } from '../nemeses/clock.js';
import { latency, loss } from '../nemeses/latency.js';
import { silentCrash } from '../nemeses/silent-crash.js';
import { localHosts } from './hosts/local/index.js';
import { sshHosts } from './hosts/ssh/index.js';
import { dockerHosts } from './hosts/docker/index.js';
import { UserError } from './user-error.js';

// Kept here for its many callers; it lives beside `closest` so that it can be used without loading every plug-in.
export { lookup } from './suggest.js';

function byName<T extends { name: string }>(defs: readonly T[]): Record<string, T> {
  return Object.fromEntries(defs.map((def) => [def.name, def]));
}

const systemTable = byName<SystemDef>([raftKv, multiPaxosKv, primaryBackup, shardedKv, gossipCounter, lockService, txn2pc, txn3pc, memoryKv, etcd, maelstrom]);
const workloadTable = byName<WorkloadDef>([register, counter, set, lock, listAppend, rwRegister, bank, uniqueIds, echo, broadcast]);
const nemesisTable = byName<NemesisDef>([partition, partitionPrimary, bridgePrimary, kill, killAll, electionCrash, silentCrash, restart, rollingRestart, pause, clock, clockPrimary, latency, loss]);

export const systems: Readonly<Record<string, SystemDef>> = systemTable;
export const workloads: Readonly<Record<string, WorkloadDef>> = workloadTable;
export const nemeses: Readonly<Record<string, NemesisDef>> = nemesisTable;

/** Where nodes run (`--hosts`): each backend with its `--net` modes (src/api/host.ts). */
export const hostBackends: Readonly<Record<string, HostBackend>> = Object.fromEntries([localHosts, dockerHosts, sshHosts].map((b) => [b.name, b]));

/** The default of `--hosts`. */
export const DEFAULT_HOSTS = localHosts.name;

/** The methods and fields each kind of definition must have: name → `function` or `object` or `string`. */
const SHAPES = {
  system: { name: 'string', description: 'string', bugs: 'object', clients: 'object', launch: 'function' },
  workload: { name: 'string', description: 'string', build: 'function' },
  nemesis: { name: 'string', description: 'string', build: 'function', schedule: 'function' },
} as const;

/** The first thing `def` lacks to be a `kind`, said as `'<name>' lacks launch()`, or undefined. */
function missingPart(kind: keyof typeof SHAPES, def: unknown): string | undefined {
  if (typeof def !== 'object' || def === null) return `a ${kind} that is not an object`;
  const record = def as Record<string, unknown>;
  const label = typeof record.name === 'string' && record.name !== '' ? `${kind} '${record.name}'` : `a ${kind}`;
  for (const [field, type] of Object.entries(SHAPES[kind])) {
    const value = record[field];
    if (typeof value !== type || value === null || (type === 'string' && value === '')) {
      return `${label} lacks ${type === 'function' ? `${field}()` : `a ${type} '${field}'`}`;
    }
  }
  if (kind === 'system') {
    for (const [bug, def] of Object.entries(record.bugs as object)) {
      const shape = def as { describe?: unknown; nemeses?: unknown } | null;
      const declared = typeof def === 'string' || (typeof shape?.describe === 'string' && Array.isArray(shape.nemeses) && shape.nemeses.every((n) => typeof n === 'string'));
      if (!declared) return `${label} has a bug '${bug}' that is neither a description nor { describe, nemeses: [names] }`;
    }
    for (const [workload, factory] of Object.entries(record.clients as object)) {
      if (typeof (factory as { open?: unknown } | null)?.open !== 'function') return `${label} has a '${workload}' client that lacks open()`;
    }
  }
  return undefined;
}

/**
 * Add a plug-in's definitions to the registry. `from` names the plug-in in errors. A definition
 * already registered under the same name (the same module loaded twice) is taken once; another
 * definition under a taken name is refused, as is anything lacking a required method.
 * @throws UserError saying what is wrong in one line
 */
export function joinPlugin(plugin: Plugin, from: string): void {
  if (plugin.apiVersion !== undefined && (!Number.isInteger(plugin.apiVersion) || plugin.apiVersion > API_VERSION)) {
    throw new UserError(`plug-in ${from} is written for faultline/api version ${String(plugin.apiVersion)}, but this faultline has version ${API_VERSION}: upgrade faultline`);
  }
  const kinds = [
    ['system', plugin.systems, systemTable],
    ['workload', plugin.workloads, workloadTable],
    ['nemesis', plugin.nemeses, nemesisTable],
  ] as const;
  for (const [kind, defs, table] of kinds) {
    if (defs !== undefined && !Array.isArray(defs)) throw new UserError(`plug-in ${from}: its ${kind === 'nemesis' ? 'nemeses' : `${kind}s`} must be an array`);
    for (const def of (defs ?? []) as readonly { name: string }[]) {
      const missing = missingPart(kind, def);
      if (missing) throw new UserError(`plug-in ${from}: ${missing} (see docs/plugins.md)`);
      const taken = (table as Record<string, unknown>)[def.name];
      if (taken !== undefined && taken !== def) throw new UserError(`plug-in ${from}: a ${kind} named '${def.name}' exists already; rename it`);
    }
  }
  for (const [, defs, table] of kinds) for (const def of defs ?? []) (table as Record<string, unknown>)[def.name] = def;
}

