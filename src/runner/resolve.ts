/**
 * Turn a TestSpec (names and numbers) into the plug-ins it names, refusing before anything
 * starts when a name is unknown, a bug or option does not exist, the system has no client for
 * the workload, the host backend cannot run the spec, or a nemesis needs a capability the
 * system or the host backend lacks.
 */
import type { ClientFactory } from '../api/client.js';
import type { SystemDef } from '../api/cluster.js';
import type { HostBackend, Lacks } from '../api/host.js';
import type { NemesisDef, ScheduleEntry } from '../api/nemesis.js';
import type { TestSpec } from '../api/test-spec.js';
import type { Workload, WorkloadOptionValues } from '../api/workload.js';
import { Rng } from '../gen/rng.js';
import { nemesesNamed, randomSchedule, wantsRandom } from '../gen/schedule-arbitrary.js';
import { hostBackends, lookup, nemeses, systems, workloads } from '../registry.js';
import { closest } from '../suggest.js';
import { UserError } from '../user-error.js';
import { resolveWorkloadOptions } from './workload-options.js';

export interface ResolvedTest {
  hosts: HostBackend;
  system: SystemDef;
  workload: Workload;
  /** Every option of the workload, defaults filled in: what the run stores in its spec. */
  workloadOptions: WorkloadOptionValues;
  clients: ClientFactory;
  nemeses: NemesisDef[];
  schedule: ScheduleEntry[];
}

/** What the run's surroundings cannot provide, checked against the nemeses' `requires`. */
export interface ResolveOptions {
  /**
   * Requirements the host backend cannot meet here, each with what to use instead and why,
   * e.g. `{ latency: 'tc netem, which this kernel lacks; use --net proxy' }` (HostBackend.lacks).
   */
  lacks?: Lacks;
}

/** {@link resolveTest} with what the spec's host backend lacks on this machine. */
export async function resolveRun(spec: TestSpec): Promise<ResolvedTest> {
  const hosts = lookup('hosts', hostBackends, spec.hosts);
  return resolveTest(spec, { lacks: await hosts.lacks(spec, lookup('cluster', systems, spec.cluster)) });
}

export function resolveTest(spec: TestSpec, opts: ResolveOptions = {}): ResolvedTest {
  const hosts = lookup('hosts', hostBackends, spec.hosts);
  checkHostOptions(hosts, spec.hostOptions);
  hosts.check(spec);
  const system = lookup('cluster', systems, spec.cluster);
  const workloadDef = lookup('workload', workloads, spec.workload);
  const clients = system.clients[spec.workload];
  if (!clients) {
    throw new UserError(`${system.name} has no client for workload '${spec.workload}': it supports ${Object.keys(system.clients).join(', ')}`);
  }
  for (const bug of spec.bugs) {
    if (!(bug in system.bugs)) {
      const guess = closest(bug, Object.keys(system.bugs));
      throw new UserError(`${system.name} has no bug '${bug}'${guess ? ` (did you mean '${guess}'?)` : ''}: its bugs are ${Object.keys(system.bugs).join(', ') || 'none'}`);
    }
  }
  checkOptions(system, spec.clusterOptions);
  checkSystem(system, spec);
  const workloadOptions = resolveWorkloadOptions(workloadDef, spec.workloadOptions);
  // `random`: a generated schedule over every nemesis that can run here; those it names are in force.
  const random = wantsRandom(spec.nemeses);
  const all = Object.values(nemeses);
  const generated = random && !spec.schedule ? randomSchedule(spec, all, all.filter((def) => !unmetNeed(def, system, opts))) : undefined;
  const nemesisDefs = (random ? nemesesNamed(spec.schedule ?? generated ?? []) : spec.nemeses).map((name) => lookup('nemesis', nemeses, name));
  for (const def of nemesisDefs) {
    const unmet = unmetNeed(def, system, opts);
    if (unmet) throw new UserError(unmet);
  }
  const workload = workloadDef.build({
    keyCount: spec.keyCount,
    opsPerKey: spec.opsPerKey,
    concurrency: spec.concurrency,
    rate: spec.rate,
    nodes: spec.nodes,
    options: workloadOptions,
  });
  const schedule = generated ?? (spec.schedule ? checkSchedule(spec, spec.schedule, nemesisDefs) : scheduleFor(spec, nemesisDefs));
  return { hosts, system, workload, workloadOptions, clients, nemeses: nemesisDefs, schedule };
}

/** Why `def` cannot run against `system` here, or `undefined` when it can. */
function unmetNeed(def: NemesisDef, system: SystemDef, opts: ResolveOptions): string | undefined {
  if (def.requires?.includes('primary') && !system.primary) return `nemesis '${def.name}' needs to know the primary, which ${system.name} cannot tell`;
  const refused = def.requires?.find((need) => system.lacks?.[need] !== undefined);
  if (refused) return `--nemesis ${def.name} cannot run against ${system.name}: ${system.lacks?.[refused]}`;
  const lacking = def.requires?.find((need) => opts.lacks?.[need] !== undefined);
  return lacking ? `--nemesis ${def.name} needs ${opts.lacks?.[lacking]}` : undefined;
}

/** The system's own refusal (SystemDef.check), as one line whatever it threw. */
function checkSystem(system: SystemDef, spec: TestSpec): void {
  try {
    system.check?.(spec);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${system.name}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function checkHostOptions(hosts: HostBackend, options: Readonly<Record<string, string>>): void {
  const known = hosts.options ?? {};
  for (const [name, value] of Object.entries(options)) {
    const option = known[name];
    if (!option) throw new UserError(`--${name} is not an option of --hosts ${hosts.name}: its options are ${Object.keys(known).map((o) => `--${o}`).join(', ') || 'none'}`);
    if (option.choices && !option.choices.includes(value)) {
      throw new UserError(`--hosts ${hosts.name} option --${name} must be one of ${option.choices.join(', ')}, not '${value}'`);
    }
  }
}

function checkOptions(system: SystemDef, options: Readonly<Record<string, string>>): void {
  const known = system.options ?? {};
  for (const [name, value] of Object.entries(options)) {
    const option = known[name];
    if (!option) throw new UserError(`${system.name} has no option '${name}': its options are ${Object.keys(known).join(', ') || 'none'}`);
    if (option.choices && !option.choices.includes(value)) {
      throw new UserError(`${system.name} option '${name}' must be one of ${option.choices.join(', ')}, not '${value}'`);
    }
  }
}

/**
 * A given schedule must only name faults its nemeses handle, within the main phase, with values
 * each nemesis can perform on this cluster's nodes; a defect is refused with the entry's position.
 */
function checkSchedule(spec: TestSpec, entries: ScheduleEntry[], defs: readonly NemesisDef[]): ScheduleEntry[] {
  const owner = new Map(defs.flatMap((def) => def.build().fs.map((f) => [f, def] as const)));
  const nodes = spec.nodes;
  entries.forEach((entry, i) => {
    const at = `the schedule's entry ${i} ('${entry.f}' at ${entry.atMs / 1000} s)`;
    const def = owner.get(entry.f);
    if (!def) throw new UserError(`${at} is not a fault any of the nemeses ${spec.nemeses.join(', ') || '(none)'} performs`);
    if (entry.atMs >= spec.timeLimitS * 1000) throw new UserError(`${at} comes after the main phase ends (--time-limit ${spec.timeLimitS})`);
    try {
      def.validate?.(entry, nodes);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new UserError(`${at} cannot be played on ${nodes.length} nodes: ${why.length > 300 ? `${why.slice(0, 297)}...` : why}`);
    }
  });
  return entries;
}

/** The fault schedule of a run: each nemesis's own entries, from the seed alone, merged by time. */
export function scheduleFor(spec: TestSpec, defs: readonly NemesisDef[]): ScheduleEntry[] {
  const entries = defs.flatMap((def) =>
    def.schedule({
      nodes: spec.nodes,
      durationMs: spec.timeLimitS * 1000,
      intervalMs: spec.nemesisIntervalS * 1000,
      rng: Rng.derive(spec.seed, `nemesis-${def.name}`),
    }),
  );
  return entries.sort((a, b) => a.atMs - b.atMs);
}
