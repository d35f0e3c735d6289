import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/api/cluster.js';
import { Rng } from '../../src/gen/rng.js';
import { chooseTargets, kindsFor, parseTargets, resolveTargets, targetSize } from '../../nemeses/targets.js';

const nodes = ['n1', 'n2', 'n3', 'n4', 'n5'];
const cluster = (primary?: string): Cluster => ({ nodes, primary: async () => primary }) as unknown as Cluster;

describe('fault targets', () => {
  it('sizes each kind, and offers `all` only when it is more than a majority', () => {
    expect(nodes.map((_, i) => targetSize('all', i + 1))).toEqual([1, 2, 3, 4, 5]);
    expect(['one', 'minority', 'majority', 'all', 'primary'].map((k) => targetSize(k as never, 5))).toEqual([1, 2, 3, 5, 1]);
    const every = ['one', 'minority', 'majority', 'all', 'primary'] as const;
    expect(kindsFor(1, every)).toEqual(['one', 'primary']);
    expect(kindsFor(2, every)).toEqual(['one', 'majority', 'primary']);
    expect(kindsFor(3, every)).toEqual(['one', 'majority', 'all', 'primary']);
    expect(kindsFor(5, every)).toEqual([...every]);
    expect(kindsFor(0, every)).toEqual([]);
  });

  it('draws `all` as every node, in cluster order, reproducibly', () => {
    const draws = Array.from({ length: 200 }, (_, seed) => chooseTargets(['all', 'one'], nodes, new Rng(seed))!);
    expect(draws).toEqual(Array.from({ length: 200 }, (_, seed) => chooseTargets(['all', 'one'], nodes, new Rng(seed))));
    const all = draws.filter((t) => t.target === 'all');
    expect(all.length).toBeGreaterThan(50);
    for (const t of all) expect(t.nodes).toEqual(nodes);
  });

  it('parses `all` only when it names every node, and resolves it to them', async () => {
    const targets = parseTargets('start-kill', { target: 'all', nodes: [...nodes].reverse() }, cluster().nodes);
    expect(targets.target).toBe('all');
    expect(await resolveTargets(targets, cluster('n2'), new AbortController().signal)).toEqual({
      nodes: [...nodes].reverse(),
      label: 'n5, n4, n3, n2, n1 (all)',
    });
    expect(() => parseTargets('start-kill', { target: 'all', nodes: ['n1'] }, cluster().nodes)).toThrow(/target all names every node/);
  });

  it('resolves the primary when it runs, or falls back to the stand-in', async () => {
    const targets = parseTargets('start-clock', { target: 'primary', nodes: ['n4'] }, cluster().nodes);
    const signal = new AbortController().signal;
    expect(await resolveTargets(targets, cluster('n2'), signal)).toEqual({ nodes: ['n2'], label: 'n2 (primary)' });
    expect(await resolveTargets(targets, cluster(undefined), signal)).toEqual({ nodes: ['n4'], label: 'n4 (no primary known)' });
  });
});
