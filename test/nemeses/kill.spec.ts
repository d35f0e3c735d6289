import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { NemesisContext } from '../../src/api/nemesis.js';
import { kill, restart } from '../../nemeses/kill.js';
import { ALL_DOWN_MS, type NodeFaultDone } from '../../nemeses/node-fault.js';
import { targetSize, type Targets } from '../../nemeses/targets.js';
import { FixtureCluster, alive, bootSystem } from '../fixtures/nemesis-cluster.js';
import { checkScheduleLaws, expectSeedMatters } from './schedule-laws.js';

describe('kill and restart schedules', () => {
  it('keep the schedule laws and draw sensible victims, the whole cluster among them', () => {
    for (const def of [kill, restart]) {
      expectSeedMatters(def);
      const kinds = new Set<string>();
      checkScheduleLaws(def, (schedule, nodes) => {
        schedule.forEach((entry, i) => {
          if (!entry.f.startsWith('start-')) return;
          const { target, nodes: victims } = entry.value as Targets;
          kinds.add(target);
          // The whole cluster down is a short blackout.
          if (target === 'all') expect(schedule[i + 1]!.atMs - entry.atMs).toBeLessThanOrEqual(ALL_DOWN_MS);
          const size = targetSize(target, nodes.length);
          expect(victims).toHaveLength(size);
          expect(new Set(victims).size).toBe(size);
          for (const v of victims) expect(nodes).toContain(v);
        });
      });
      expect([...kinds].sort()).toEqual(['all', 'majority', 'minority', 'one', 'primary']);
    }
  });
});

describe('kill and restart on real nodes', () => {
  let primary: string | undefined = 'n3';
  const fx = new FixtureCluster(bootSystem(() => primary), ['n1', 'n2', 'n3', 'n4', 'n5']);
  let ctx: NemesisContext;
  beforeAll(async () => {
    await fx.startAll();
    ctx = fx.ctx();
  });
  // start() returns once a node is spawned; let every node record its boot before the next test.
  beforeEach(async () => {
    for (const node of fx.nodes) if (fx.cluster.isRunning(node)) await fx.bootsNow(node);
  });
  afterAll(() => fx.close());

  it('kills one node with kill -9 and restarts it on the same data directory', async () => {
    const nemesis = kill.build();
    const before = fx.pid('n2');
    const done = (await nemesis.invoke({ f: 'start-kill', value: { target: 'one', nodes: ['n2'] } }, ctx)) as NodeFaultDone;
    expect(done).toEqual({ target: 'one', nodes: ['n2'], text: 'kill n2 (one)' });
    expect(alive(before)).toBe(false);
    expect(fx.cluster.isRunning('n2')).toBe(false);
    expect(await nemesis.invoke({ f: 'stop-kill' }, ctx)).toEqual({ nodes: ['n2'], text: 'restart n2' });
    const after = fx.pid('n2');
    expect(after).not.toBe(before);
    expect(await fx.bootsNow('n2')).toEqual([before, after]);
    expect(fx.crashes).toEqual([]);
  });

  it('kills the primary the system names, or the fallback when it cannot tell', async () => {
    const nemesis = kill.build();
    const n3 = fx.pid('n3');
    const done = (await nemesis.invoke({ f: 'start-kill', value: { target: 'primary', nodes: ['n5'] } }, ctx)) as NodeFaultDone;
    expect(done.text).toBe('kill n3 (primary)');
    expect(alive(n3)).toBe(false);
    await nemesis.invoke({ f: 'stop-kill' }, ctx);
    primary = undefined;
    const n5 = fx.pid('n5');
    const fallback = (await nemesis.invoke({ f: 'start-kill', value: { target: 'primary', nodes: ['n5'] } }, ctx)) as NodeFaultDone;
    expect(fallback.text).toBe('kill n5 (no primary known)');
    expect(alive(n5)).toBe(false);
    await nemesis.heal(ctx);
    expect(fx.cluster.isRunning('n5')).toBe(true);
    primary = 'n3';
  });

  it('heals a killed majority, repeatedly', async () => {
    const nemesis = kill.build();
    const pids = ['n1', 'n2', 'n4'].map((n) => fx.pid(n));
    await nemesis.invoke({ f: 'start-kill', value: { target: 'majority', nodes: ['n1', 'n2', 'n4'] } }, ctx);
    expect(pids.some(alive)).toBe(false);
    await nemesis.heal(ctx);
    await nemesis.heal(ctx);
    for (const node of fx.nodes) expect(fx.cluster.isRunning(node)).toBe(true);
    expect(await nemesis.invoke({ f: 'stop-kill' }, ctx)).toEqual({ nodes: [], text: 'nothing to undo' });
  });

  it('kills every node at once and restarts them all', async () => {
    const nemesis = kill.build();
    const pids = fx.nodes.map((n) => fx.pid(n));
    const done = (await nemesis.invoke({ f: 'start-kill', value: { target: 'all', nodes: fx.nodes } }, ctx)) as NodeFaultDone;
    expect(done).toEqual({ target: 'all', nodes: fx.nodes, text: `kill ${fx.nodes.join(', ')} (all)` });
    expect(pids.some(alive)).toBe(false);
    expect(await nemesis.invoke({ f: 'stop-kill' }, ctx)).toEqual({ nodes: fx.nodes, text: `restart ${fx.nodes.join(', ')}` });
    for (const node of fx.nodes) expect(fx.cluster.isRunning(node)).toBe(true);
    expect(fx.crashes).toEqual([]);
    await expect(nemesis.invoke({ f: 'start-kill', value: { target: 'all', nodes: ['n1', 'n2'] } }, ctx)).rejects.toThrow(/target all names every node/);
  });

  it('stops a node gracefully and starts it again', async () => {
    const nemesis = restart.build();
    const before = fx.pid('n4');
    const done = (await nemesis.invoke({ f: 'start-restart', value: { target: 'one', nodes: ['n4'] } }, ctx)) as NodeFaultDone;
    expect(done.text).toBe('stop n4 (one)');
    expect(alive(before)).toBe(false);
    await nemesis.invoke({ f: 'stop-restart' }, ctx);
    expect((await fx.bootsNow('n4')).slice(-2)).toEqual([before, fx.pid('n4')]);
    expect(fx.crashes).toEqual([]);
  });

  it('leaves alone a node another fault holds down, and refuses bad values', async () => {
    const killer = kill.build();
    const restarter = restart.build();
    await killer.invoke({ f: 'start-kill', value: { target: 'one', nodes: ['n1'] } }, ctx);
    const done = (await restarter.invoke({ f: 'start-restart', value: { target: 'minority', nodes: ['n1', 'n2'] } }, ctx)) as NodeFaultDone;
    expect(done.nodes).toEqual(['n2']);
    expect(done.skipped).toEqual(['n1']);
    await restarter.heal(ctx);
    expect(fx.cluster.isRunning('n1')).toBe(false); // not the restart nemesis's to start
    await killer.heal(ctx);
    expect(fx.cluster.isRunning('n1')).toBe(true);
    await expect(killer.invoke({ f: 'start-kill', value: { target: 'one', nodes: ['n9'] } }, ctx)).rejects.toThrow(/no node named n9/);
    await expect(killer.invoke({ f: 'start-kill', value: { target: 'some' } }, ctx)).rejects.toThrow(/needs \{target/);
  });
});
