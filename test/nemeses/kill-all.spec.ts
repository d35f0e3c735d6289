import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/api/cluster.js';
import type { NemesisContext } from '../../src/api/nemesis.js';
import { Rng } from '../../src/gen/rng.js';
import { killAll } from '../../nemeses/kill-all.js';
import { ALL_DOWN_MS, type NodeFaultDone } from '../../nemeses/node-fault.js';
import type { Targets } from '../../nemeses/targets.js';
import { checkScheduleLaws, expectSeedMatters } from './schedule-laws.js';

const five = ['n1', 'n2', 'n3', 'n4', 'n5'];

/** A cluster that records kills and starts and knows which nodes run. */
function fakeCluster(): { ctx: NemesisContext; calls: string[] } {
  const running = new Set(five);
  const calls: string[] = [];
  const cluster = {
    nodes: five,
    clientAddresses: {},
    isRunning: (node: string) => running.has(node),
    kill: async (node: string) => void (running.delete(node), calls.push(`kill ${node}`)),
    start: async (node: string) => void (running.add(node), calls.push(`start ${node}`)),
  } as unknown as Cluster;
  return { ctx: { cluster, net: {} as NemesisContext['net'], signal: new AbortController().signal }, calls };
}

describe('kill-all schedule', () => {
  it('keeps the schedule laws; every fault names every node and is a short blackout', () => {
    expectSeedMatters(killAll);
    checkScheduleLaws(killAll, (schedule, nodes) => {
      // One node alone is never `all` (kindsFor): no faults then, nor without nodes.
      if (nodes.length < 2) expect(schedule).toEqual([]);
      schedule.forEach((entry, i) => {
        if (entry.f !== 'start-kill-all') return;
        expect(entry.value).toEqual({ target: 'all', nodes } satisfies Targets);
        expect(schedule[i + 1]!.atMs - entry.atMs).toBeLessThanOrEqual(ALL_DOWN_MS);
      });
    });
  });

  it('fits several blackouts into a 30 s run at the default interval', () => {
    const schedule = killAll.schedule({ nodes: five, durationMs: 30_000, intervalMs: 3_000, rng: new Rng(1) });
    expect(schedule.filter((e) => e.f === 'start-kill-all').length).toBeGreaterThanOrEqual(4);
  });
});

describe('kill-all nemesis', () => {
  it('kills every node at once and starts every one again', async () => {
    const { ctx, calls } = fakeCluster();
    const nemesis = killAll.build();
    const done = (await nemesis.invoke({ f: 'start-kill-all', value: { target: 'all', nodes: five } }, ctx)) as NodeFaultDone;
    expect(done).toEqual({ target: 'all', nodes: five, text: 'kill n1, n2, n3, n4, n5 (all)' });
    expect(five.some((n) => ctx.cluster.isRunning(n))).toBe(false);
    expect(await nemesis.invoke({ f: 'stop-kill-all' }, ctx)).toEqual({ nodes: five, text: 'restart n1, n2, n3, n4, n5' });
    expect(calls).toEqual([...five.map((n) => `kill ${n}`), ...five.map((n) => `start ${n}`)]);
  });

  it('refuses a value that does not name the whole cluster', () => {
    expect(() => killAll.validate!({ f: 'start-kill-all', value: { target: 'all', nodes: ['n1', 'n2'] } }, five)).toThrow(/every node/);
    expect(() => killAll.validate!({ f: 'start-kill-all', value: { target: 'all', nodes: five } }, five)).not.toThrow();
  });
});
