/**
 * What `faultline matrix` runs: every chosen system with each of its known bugs under the nemeses
 * the bug declares, and every chosen system without bugs under all the nemeses its bugs name (a
 * correct system must pass what catches each of its bugs), each over the same seeds.
 */
import type { SystemDef } from '../api/cluster.js';
import { correctNemeses, knownBugs, systemWorkloads } from '../known-bugs.js';
import { lookup } from '../registry.js';
import { UserError } from '../user-error.js';

/** One row of the matrix: a test, run once per seed. */
export interface MatrixCase {
  system: string;
  /** The bug switched on; `null` for the correct system. */
  bug: string | null;
  nemeses: string[];
  workload: string;
}

export interface CaseFilter {
  /** System names; absent: every system with known bugs. */
  systems?: readonly string[];
  /** Bug names to run; absent: all of each system's. */
  bugs?: readonly string[];
  /** Whether to run the correct systems too. */
  correct: boolean;
}

/** The rows for `filter` over `table`, systems in the order given (else the table's), bugs in declaration order. */
export function matrixCases(table: Readonly<Record<string, SystemDef>>, filter: CaseFilter): MatrixCase[] {
  const chosen = filter.systems ? filter.systems.map((name) => lookup('system', table, name)) : Object.values(table).filter((s) => knownBugs(s).length > 0);
  if (filter.bugs) {
    const all = new Set(chosen.flatMap((s) => knownBugs(s).map((b) => b.name)));
    const unknown = filter.bugs.filter((b) => !all.has(b));
    if (unknown.length > 0) throw new UserError(`--bugs names ${unknown.join(', ')}, which no chosen system has (their bugs: ${[...all].join(', ') || 'none'})`);
  }
  const cases: MatrixCase[] = [];
  for (const system of chosen) {
    const workload = systemWorkloads(system)[0];
    const bugs = knownBugs(system).filter((bug) => !filter.bugs || filter.bugs.includes(bug.name));
    for (const bug of bugs) {
      if (bug.workload === undefined) throw new UserError(`${system.name} has no client for any workload, so its bug ${bug.name} cannot run`);
      cases.push({ system: system.name, bug: bug.name, nemeses: [...bug.nemeses], workload: bug.workload });
    }
    if (filter.correct) {
      if (workload === undefined) throw new UserError(`${system.name} has no client for any workload, so it cannot run`);
      // Under the nemeses of the bugs run beside it (all of them when no bug is named).
      const nemeses = filter.bugs && bugs.length > 0 ? [...new Set(bugs.flatMap((b) => b.nemeses))] : correctNemeses(system);
      cases.push({ system: system.name, bug: null, nemeses, workload });
    }
  }
  return cases;
}
