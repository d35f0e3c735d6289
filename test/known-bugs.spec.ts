/** Every bundled bug declares how to expose it: nemeses that exist, a workload its system serves. */
import { describe, expect, it } from 'vitest';
import type { SystemDef } from '../src/api/cluster.js';
import { correctNemeses, knownBugs } from '../src/known-bugs.js';
import { nemeses, systems } from '../src/registry.js';

describe('known bugs', () => {
  const bundled = Object.values(systems).flatMap((system) => knownBugs(system).map((bug) => [system.name, bug.name, system, bug] as const));

  it.each(bundled)('%s --bug %s names registered nemeses and a workload its system serves', (_s, _b, system, bug) => {
    expect(bug.nemeses.length).toBeGreaterThan(0);
    for (const name of bug.nemeses) expect(nemeses[name], name).toBeDefined();
    expect(Object.keys(system.clients)).toContain(bug.workload);
    expect(bug.describe.length).toBeGreaterThan(20);
  });

  it('reads a bug declared as a plain description as one run under partition, on the first workload', () => {
    const system = { name: 'old', description: 'd', bugs: { lost: 'loses writes' }, clients: { counter: {}, register: {} }, launch: () => ({ command: 'x', args: [] }) } as unknown as SystemDef;
    expect(knownBugs(system)).toEqual([{ name: 'lost', describe: 'loses writes', nemeses: ['partition'], workload: 'counter' }]);
  });

  it('runs a correct system under every nemesis its bugs name, once each', () => {
    expect(correctNemeses(systems['raft-kv']!)).toEqual(['partition-primary', 'election-crash', 'kill-all']);
    expect(correctNemeses(systems['memory-kv']!)).toEqual(['partition']);
  });
});
