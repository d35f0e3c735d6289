import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/api/cluster.js';
import type { NemesisContext } from '../../src/api/nemesis.js';
import type { Grudge, LinkShape, Net } from '../../src/api/net.js';
import { Rng } from '../../src/gen/rng.js';
import { bridge, componentsOf, isolate, normalize } from '../../src/net/grudge.js';
import { makeGrudge, partition, type PartitionDone, type StartPartition } from '../../nemeses/partition.js';
import { bridgePrimary, partitionPrimary } from '../../nemeses/partition-primary.js';

const drawPrimaryPartition = (nodes: readonly string[], rng: Rng): StartPartition | undefined => partitionPrimary.drawStart!(nodes, rng) as StartPartition | undefined;
import { checkScheduleLaws, expectSeedMatters } from './schedule-laws.js';

const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `n${i + 1}`);
const five = names(5);

/** A Net that records the cuts it is given, and a cluster that knows only its nodes and primary. */
function fakeContext(primary: () => string | undefined): { ctx: NemesisContext; cuts: Grudge[] } {
  const cuts: Grudge[] = [];
  const net: Net = {
    kind: 'fake',
    partition: async (g: Grudge) => void cuts.push(g),
    shape: async (_: LinkShape) => {},
    heal: async () => {},
  };
  const cluster = { nodes: five, clientAddresses: {}, primary: async () => primary() } as unknown as Cluster;
  return { ctx: { net, cluster, signal: new AbortController().signal }, cuts };
}

describe('partition-primary schedule', () => {
  it('keeps the schedule laws, and every cut aims at the primary', () => {
    expectSeedMatters(partitionPrimary);
    const shapes = new Set<string>();
    checkScheduleLaws(partitionPrimary, (schedule, nodes) => {
      if (nodes.length < 3) expect(schedule).toEqual([]);
      for (const entry of schedule) {
        if (entry.f !== 'start-partition-primary') continue;
        const { shape } = entry.value as StartPartition;
        shapes.add(shape);
        expect(['isolate-primary', 'primary-minority']).toContain(shape);
        // primary-minority only where a minority holds two nodes or more.
        if (shape === 'primary-minority') expect(nodes.length).toBeGreaterThanOrEqual(5);
      }
    });
    expect([...shapes].sort()).toEqual(['isolate-primary', 'primary-minority']);
  });

  it('draws the same cuts as its schedule from the same rng, and none below three nodes', () => {
    expect(drawPrimaryPartition(names(2), new Rng(1))).toBeUndefined();
    expect(drawPrimaryPartition(names(3), new Rng(1))?.shape).toBe('isolate-primary');
    const schedule = partitionPrimary.schedule({ nodes: five, durationMs: 60_000, intervalMs: 3_000, rng: new Rng(9) });
    expect(schedule.length).toBeGreaterThanOrEqual(10);
    expect(schedule.filter((e) => e.f === 'start-partition-primary').length).toBe(schedule.length / 2);
  });
});

describe('partition-primary nemesis', () => {
  it('cuts off whichever node is primary when the fault runs, alone or with a minority', async () => {
    let primary = 'n4';
    const { ctx, cuts } = fakeContext(() => primary);
    const nemesis = partitionPrimary.build();
    expect(nemesis.fs).toEqual(['start-partition-primary', 'stop-partition-primary']);
    const alone = (await nemesis.invoke({ f: 'start-partition-primary', value: { shape: 'isolate-primary', grudge: isolate(five, 'n1') } }, ctx)) as PartitionDone;
    expect(alone.primary).toBe('n4');
    expect(cuts.at(-1)).toEqual(isolate(five, 'n4'));
    await nemesis.invoke({ f: 'stop-partition-primary' }, ctx);
    expect(cuts.at(-1)).toEqual({});
    primary = 'n2';
    const standIn = makeGrudge('primary-minority', five, new Rng(3));
    const withMinority = (await nemesis.invoke({ f: 'start-partition-primary', value: { shape: 'primary-minority', grudge: standIn } }, ctx)) as PartitionDone;
    const sides = componentsOf(withMinority.grudge, five)!.map((s) => [...s].sort());
    const small = sides.find((s) => s.includes('n2'))!;
    expect(small).toHaveLength(2);
    expect(sides.find((s) => !s.includes('n2'))).toHaveLength(3);
    await nemesis.heal(ctx);
    expect(cuts.at(-1)).toEqual({});
  });

  it('refuses shapes that do not aim at the primary, and malformed values, before the run', () => {
    const validate = partitionPrimary.validate!;
    expect(() => validate({ f: 'start-partition-primary', value: { shape: 'isolate-primary' } }, five)).not.toThrow();
    expect(() => validate({ f: 'start-partition-primary', value: { shape: 'random-halves', grudge: {} } }, five)).toThrow(/aimed at the primary/);
    expect(() => validate({ f: 'start-partition-primary', value: { shape: 'isolate-primary', grudge: { n42: ['n1'] } } }, five)).toThrow(/n42/);
    expect(() => validate({ f: 'stop-partition-primary' }, five)).not.toThrow();
  });

  it('bridge-primary puts the primary on one side of a bridge, trading places with another node when the stand-in made it the bridge', async () => {
    const standIn = bridge(['n1', 'n2', 'n3', 'n4', 'n5']); // n1, n2 | n3 (bridge) | n4, n5
    const nemesis = bridgePrimary.build();
    const { ctx, cuts } = fakeContext(() => 'n4');
    await nemesis.invoke({ f: 'start-bridge-primary', value: { shape: 'primary-bridge', grudge: standIn } }, ctx);
    expect(cuts.at(-1)).toEqual(normalize(standIn)); // the net gets the layers' union, in canonical form
    const asBridge = fakeContext(() => 'n3');
    const done = (await nemesis.invoke({ f: 'start-bridge-primary', value: { shape: 'primary-bridge', grudge: standIn } }, asBridge.ctx)) as PartitionDone;
    // n1 is now the bridge, n3 on n1's old side with n2.
    expect(done.grudge['n1']).toEqual([]);
    expect(done.grudge['n3']).toEqual(['n4', 'n5']);
    expect(done.text).toContain('primary n3 on one side of a bridge');
    expect(() => bridgePrimary.validate!({ f: 'start-bridge-primary', value: { shape: 'isolate-primary' } }, five)).toThrow(/primary-bridge/);
    checkScheduleLaws(bridgePrimary, (schedule) => {
      for (const e of schedule) if (e.f === 'start-bridge-primary') expect((e.value as StartPartition).shape).toBe('primary-bridge');
    });
  });

  it('keeps partition\'s own schedules as they were: random halves and friends half the time', () => {
    const starts = partition.schedule({ nodes: five, durationMs: 600_000, intervalMs: 3_000, rng: new Rng(5) }).filter((e) => e.f === 'start-partition');
    const aimed = starts.filter((e) => ['isolate-primary', 'primary-minority'].includes((e.value as StartPartition).shape)).length;
    expect(aimed / starts.length).toBeGreaterThan(0.35);
    expect(aimed / starts.length).toBeLessThan(0.65);
  });
});
