import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rollingRestart, type RollingRestart } from '../../nemeses/rolling-restart.js';
import { FixtureCluster, bootSystem, until } from '../fixtures/nemesis-cluster.js';
import { checkScheduleLaws, expectSeedMatters } from './schedule-laws.js';

describe('rolling-restart schedule', () => {
  it('keeps the schedule laws, walks every node once, and leaves time for the walk', () => {
    expectSeedMatters(rollingRestart);
    checkScheduleLaws(rollingRestart, (schedule, nodes) => {
      for (let i = 0; i < schedule.length; i += 2) {
        const value = schedule[i]!.value as RollingRestart;
        expect([...value.nodes].sort()).toEqual([...nodes].sort());
        const windowMs = schedule[i + 1]!.atMs - schedule[i]!.atMs;
        expect(value.gapMs).toBeGreaterThan(0);
        expect(windowMs).toBeGreaterThanOrEqual(nodes.length * 1100);
        if (value.gapMs > 100) expect(value.gapMs * nodes.length).toBeLessThanOrEqual(Math.min(windowMs / 2, windowMs - nodes.length * 1000) + nodes.length);
      }
    });
  });
});

describe('rolling-restart on real nodes', () => {
  const fx = new FixtureCluster(bootSystem(), ['n1', 'n2', 'n3']);
  beforeAll(() => fx.startAll());
  beforeEach(async () => {
    for (const node of fx.nodes) await fx.bootsNow(node);
  });
  afterAll(() => fx.close());

  it('restarts each node in turn in the background, never two down at once', async () => {
    const before = fx.nodes.map((n) => fx.pid(n));
    let mostDown = 0;
    const sampler = setInterval(() => {
      mostDown = Math.max(mostDown, fx.nodes.filter((n) => !fx.cluster.isRunning(n)).length);
    }, 2);
    const nemesis = rollingRestart.build();
    const t0 = Date.now();
    const started = await nemesis.invoke({ f: 'start-rolling-restart', value: { nodes: ['n3', 'n1', 'n2'], gapMs: 50 } }, fx.ctx());
    expect(Date.now() - t0).toBeLessThan(50); // the schedule is not held up
    expect(started).toEqual({ nodes: ['n3', 'n1', 'n2'], gapMs: 50, text: 'restart n3, n1, n2 in turn, 50 ms apart' });
    // Each restart starts a tether through tsx (about a second, more under load).
    await until(() => fx.nodes.every((n, i) => fx.cluster.pidOf(n) !== undefined && fx.cluster.pidOf(n) !== before[i]), 30_000);
    const stopped = await nemesis.invoke({ f: 'stop-rolling-restart' }, fx.ctx());
    clearInterval(sampler);
    expect(stopped).toEqual({ nodes: ['n3', 'n1', 'n2'], text: 'restarted n3, n1, n2 in turn' });
    expect(mostDown).toBeLessThanOrEqual(1);
    for (const [i, node] of fx.nodes.entries()) expect(await fx.bootsNow(node)).toEqual([before[i], fx.pid(node)]);
    expect(fx.crashes).toEqual([]);
  });

  it('ends a walk early on stop or heal, leaving every node running', async () => {
    const nemesis = rollingRestart.build();
    await nemesis.invoke({ f: 'start-rolling-restart', value: { nodes: ['n1', 'n2', 'n3'], gapMs: 5000 } }, fx.ctx());
    await until(() => fx.boots('n1').length === 3);
    const stopped = await nemesis.invoke({ f: 'stop-rolling-restart' }, fx.ctx());
    expect(stopped).toEqual({ nodes: ['n1'], text: 'restarted n1 in turn; walk ended before n2, n3' });
    await nemesis.invoke({ f: 'start-rolling-restart', value: { nodes: ['n2', 'n3'], gapMs: 5000 } }, fx.ctx());
    await nemesis.heal(fx.ctx());
    await nemesis.heal(fx.ctx());
    for (const node of fx.nodes) expect(fx.cluster.isRunning(node)).toBe(true);
    await expect(nemesis.invoke({ f: 'start-rolling-restart', value: { nodes: [], gapMs: 1 } }, fx.ctx())).rejects.toThrow(/needs/);
  });
});
