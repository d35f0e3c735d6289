import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/api/cluster.js';
import type { NemesisContext } from '../../src/api/nemesis.js';
import type { Grudge, LinkShape, Net } from '../../src/api/net.js';
import { Rng } from '../../src/gen/rng.js';
import { complete, grudgeNodes, isolate } from '../../src/net/grudge.js';
import { ProxyNet } from '../../src/net/proxy/proxy-net.js';
import { partition, shapesFor, type StartPartition } from '../../nemeses/partition.js';

const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `n${i + 1}`);
const five = names(5);

const plan = (seed: number, nodes = five, durationMs = 60_000, intervalMs = 5_000) =>
  partition.schedule({ nodes, durationMs, intervalMs, rng: new Rng(seed) });

/** A Net that records calls, and a cluster that knows only its nodes and primary. */
function fakeContext(primary?: string): { ctx: NemesisContext; calls: unknown[][] } {
  const calls: unknown[][] = [];
  const net: Net = {
    kind: 'fake',
    partition: async (g: Grudge) => void calls.push(['partition', g]),
    shape: async (s: LinkShape) => void calls.push(['shape', s]),
    heal: async () => void calls.push(['heal']),
  };
  const cluster = { nodes: five, clientAddresses: {}, primary: async () => primary } as unknown as Cluster;
  return { ctx: { net, cluster, signal: new AbortController().signal }, calls };
}

describe('partition schedule', () => {
  it('is reproducible from the seed', () => {
    expect(plan(123)).toEqual(plan(123));
    expect(plan(123)).not.toEqual(plan(124));
  });

  it('alternates start and stop, sorted, healed before the end (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 2, max: 9 }),
        fc.integer({ min: 0, max: 120_000 }),
        fc.integer({ min: 200, max: 20_000 }),
        (seed, n, durationMs, intervalMs) => {
          const nodes = names(n);
          const entries = plan(seed, nodes, durationMs, intervalMs);
          expect(entries.length % 2).toBe(0);
          entries.forEach((e, i) => {
            expect(e.f).toBe(i % 2 === 0 ? 'start-partition' : 'stop-partition');
            expect(e.atMs).toBeGreaterThan(i === 0 ? 0 : (entries[i - 1]?.atMs ?? 0));
            expect(e.atMs).toBeLessThan(durationMs);
            if (e.f === 'start-partition') {
              const value = e.value as StartPartition;
              expect(shapesFor(n)).toContain(value.shape);
              const mentioned = grudgeNodes(value.grudge ?? {});
              expect(mentioned.every((m) => nodes.includes(m))).toBe(true);
            }
          });
        },
      ),
    );
  });

  it('spaces faults about one interval apart', () => {
    const entries = plan(7, five, 600_000, 5_000);
    expect(entries.length).toBeGreaterThan(40);
    const gaps = entries.map((e, i) => e.atMs - (entries[i - 1]?.atMs ?? 0));
    expect(gaps.reduce((a, b) => Math.min(a, b))).toBeGreaterThanOrEqual(2_500);
    expect(gaps.reduce((a, b) => Math.max(a, b))).toBeLessThan(7_500);
  });

  it('uses every shape for five nodes, only halves for two, nothing for one', () => {
    const shapes = new Set(plan(1, five, 600_000, 1_000).map((e) => (e.value as StartPartition | undefined)?.shape));
    expect([...shapes].filter(Boolean).sort()).toEqual(['bridge', 'isolate-one', 'isolate-primary', 'majorities-ring', 'one-way', 'primary-minority', 'random-halves']);
    expect(shapesFor(4)).not.toContain('primary-minority'); // a minority of 4 is one node: isolate-primary
    const two = plan(1, names(2), 600_000, 1_000).filter((e) => e.f === 'start-partition');
    for (const e of two) expect(shapesFor(2)).toContain((e.value as StartPartition).shape);
    expect(plan(1, names(1))).toEqual([]);
  });
});

describe('partition nemesis', () => {
  it('routes its fs and partitions as scheduled', async () => {
    const nemesis = partition.build();
    expect(nemesis.fs).toEqual(['start-partition', 'stop-partition']);
    const { ctx, calls } = fakeContext();
    const grudge = isolate(five, 'n4');
    const done = await nemesis.invoke({ f: 'start-partition', value: { shape: 'isolate-one', grudge } }, ctx);
    expect(done).toEqual({ shape: 'isolate-one', grudge, text: 'partition isolate-one: n1,n2,n3,n5 | n4' });
    expect(await nemesis.invoke({ f: 'stop-partition' }, ctx)).toEqual({ text: 'heal the partition' });
    await nemesis.heal(ctx);
    expect(calls).toEqual([['partition', grudge], ['partition', {}], ['partition', {}]]);
  });

  it('isolates the primary found at invoke time', async () => {
    const { ctx, calls } = fakeContext('n2');
    const done = await partition.build().invoke({ f: 'start-partition', value: { shape: 'isolate-primary' } }, ctx);
    expect(done).toMatchObject({ shape: 'isolate-primary', grudge: isolate(five, 'n2'), primary: 'n2' });
    expect((done as { text: string }).text).toBe('isolate the primary n2: n1,n3,n4,n5 | n2');
    expect(calls).toEqual([['partition', isolate(five, 'n2')]]);
  });

  it('aims half the partitions at the primary', () => {
    const starts = plan(3, five, 3_000_000, 1_000).filter((e) => e.f === 'start-partition');
    const aimed = starts.filter((e) => ['isolate-primary', 'primary-minority'].includes((e.value as StartPartition).shape)).length / starts.length;
    expect(aimed).toBeGreaterThan(0.45);
    expect(aimed).toBeLessThan(0.55);
  });

  it('cuts the primary off with a minority: the stand-in\'s smaller side, the primary in place of its first member', async () => {
    const standIn = complete([['n4', 'n5'], ['n1', 'n2', 'n3']]);
    for (const [primary, minority] of [['n2', ['n2', 'n5']], ['n5', ['n4', 'n5']]] as const) {
      const { ctx, calls } = fakeContext(primary);
      const done = await partition.build().invoke({ f: 'start-partition', value: { shape: 'primary-minority', grudge: standIn } }, ctx);
      const cut = complete([[...minority], five.filter((n) => !(minority as readonly string[]).includes(n))]);
      expect(done).toMatchObject({ shape: 'primary-minority', grudge: cut, text: expect.stringMatching(`primary ${primary} cut off with a minority`) });
      expect(calls).toEqual([['partition', cut]]);
    }
    // Without a stand-in (a hand-written schedule), the companions follow the cluster order.
    const { ctx } = fakeContext('n3');
    const done = await partition.build().invoke({ f: 'start-partition', value: { shape: 'primary-minority' } }, ctx);
    expect(done).toMatchObject({ grudge: complete([['n3', 'n2'], ['n1', 'n4', 'n5']]) });
  });

  it('isolates nobody, and says so, when no primary is known and no stand-in was scheduled', async () => {
    const { ctx, calls } = fakeContext(undefined);
    const done = await partition.build().invoke({ f: 'start-partition', value: { shape: 'isolate-primary' } }, ctx);
    expect(done).toEqual({ shape: 'isolate-primary', grudge: {}, text: 'isolate the primary: none known, so no partition' });
    expect(calls).toEqual([['partition', {}]]);
  });

  it('isolates the scheduled stand-in when no primary is known', async () => {
    const { ctx, calls } = fakeContext(undefined);
    const standIn = isolate(five, 'n4');
    const done = await partition.build().invoke({ f: 'start-partition', value: { shape: 'isolate-primary', grudge: standIn } }, ctx);
    expect(done).toMatchObject({ shape: 'isolate-primary', grudge: standIn });
    expect(calls).toEqual([['partition', standIn]]);
  });

  it('refuses malformed operations', async () => {
    const { ctx } = fakeContext();
    const nemesis = partition.build();
    await expect(nemesis.invoke({ f: 'start-partition', value: { shape: 'bridge' } }, ctx)).rejects.toThrow(/grudge/);
    await expect(nemesis.invoke({ f: 'start-partition' }, ctx)).rejects.toThrow(/shape/);
    await expect(nemesis.invoke({ f: 'kill' }, ctx)).rejects.toThrow(/kill/);
  });

  it('drives a real ProxyNet', async () => {
    const targets = Object.fromEntries(five.map((n) => [n, '127.0.0.1:9']));
    const net = await ProxyNet.start({ nodes: five, peerTargets: targets, clientTargets: targets, seed: 3 });
    try {
      const cluster = { nodes: five, clientAddresses: {}, primary: async () => 'n1' } as unknown as Cluster;
      const ctx: NemesisContext = { net, cluster, signal: new AbortController().signal };
      const nemesis = partition.build();
      const first = plan(99).find((e) => e.f === 'start-partition');
      const done = (await nemesis.invoke({ f: first!.f, value: first!.value }, ctx)) as { text: string };
      expect(done.text).toContain(net.describe().text);
      expect(net.describe().blocked.length).toBeGreaterThan(0);
      await nemesis.heal(ctx);
      expect(net.describe().blocked).toEqual([]);
    } finally {
      await net.close();
    }
  });
});
