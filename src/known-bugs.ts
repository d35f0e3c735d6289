/**
 * A system's known bugs as one shape, whichever way the system declared them (src/api/cluster.ts:
 * a {@link KnownBug}, or only a description, as plug-ins written before bugs named their nemeses
 * do). `faultline list` and `faultline matrix` read bugs through here.
 */
import type { KnownBug, SystemDef } from './api/cluster.js';

/** The nemesis a bug that names none is run under: `faultline test`'s default. */
export const DEFAULT_BUG_NEMESES: readonly string[] = ['partition'];

/** A known bug, every field filled in. */
export interface ResolvedBug {
  name: string;
  describe: string;
  nemeses: readonly string[];
  /** The workload that shows it: its own, or the system's first. */
  workload: string | undefined;
}

/** The workloads `system` has clients for, its first (the one a bug uses by default) first. */
export function systemWorkloads(system: SystemDef): string[] {
  return Object.keys(system.clients);
}

/** Every known bug of `system`, in declaration order. */
export function knownBugs(system: SystemDef): ResolvedBug[] {
  return Object.entries(system.bugs).map(([name, def]) => resolveBug(system, name, def));
}

function resolveBug(system: SystemDef, name: string, def: string | KnownBug): ResolvedBug {
  const bug: KnownBug = typeof def === 'string' ? { describe: def, nemeses: DEFAULT_BUG_NEMESES } : def;
  return { name, describe: bug.describe, nemeses: [...bug.nemeses], workload: bug.workload ?? systemWorkloads(system)[0] };
}

/**
 * The nemeses a correct system is run under in `faultline matrix`: every nemesis its bugs name
 * (so it must pass what catches each bug), or the default for a system without bugs.
 */
export function correctNemeses(system: SystemDef): string[] {
  const named = knownBugs(system).flatMap((b) => b.nemeses);
  return named.length > 0 ? [...new Set(named)] : [...DEFAULT_BUG_NEMESES];
}
