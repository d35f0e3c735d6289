import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NemesisContext } from '../../src/api/nemesis.js';
import type { NodeFaultDone } from '../../nemeses/node-fault.js';
import { pause } from '../../nemeses/pause.js';
import { minoritySize, type Targets } from '../../nemeses/targets.js';
import { FixtureCluster, bootSystem, procState, until } from '../fixtures/nemesis-cluster.js';
import { checkScheduleLaws, expectSeedMatters } from './schedule-laws.js';

describe('pause schedule', () => {
  it('keeps the schedule laws and pauses one node or a minority', () => {
    expectSeedMatters(pause);
    checkScheduleLaws(pause, (schedule, nodes) => {
      for (const entry of schedule.filter((e) => e.f === 'start-pause')) {
        const { target, nodes: victims } = entry.value as Targets;
        expect(['one', 'minority', 'primary']).toContain(target);
        expect(victims.length).toBeLessThanOrEqual(Math.max(1, minoritySize(nodes.length)));
      }
    });
  });
});

describe('pause on real nodes', () => {
  const fx = new FixtureCluster(bootSystem(() => 'n2'), ['n1', 'n2', 'n3', 'n4', 'n5']);
  let ctx: NemesisContext;
  beforeAll(async () => {
    await fx.startAll();
    ctx = fx.ctx();
  });
  afterAll(() => fx.close());

  const stopped = (node: string): boolean => procState(fx.pid(node)) === 'T';

  it('stops a minority with SIGSTOP and resumes the same processes', async () => {
    const nemesis = pause.build();
    const pids = { n1: fx.pid('n1'), n4: fx.pid('n4') };
    const done = (await nemesis.invoke({ f: 'start-pause', value: { target: 'minority', nodes: ['n1', 'n4'] } }, ctx)) as NodeFaultDone;
    expect(done.text).toBe('pause n1, n4 (minority)');
    await until(() => stopped('n1') && stopped('n4'));
    expect(stopped('n2')).toBe(false);
    expect(await nemesis.invoke({ f: 'stop-pause' }, ctx)).toEqual({ nodes: ['n1', 'n4'], text: 'resume n1, n4' });
    await until(() => !stopped('n1') && !stopped('n4'));
    expect({ n1: fx.pid('n1'), n4: fx.pid('n4') }).toEqual(pids);
  });

  it('pauses the primary, and heal leaves nothing paused, repeatedly', async () => {
    const nemesis = pause.build();
    const done = (await nemesis.invoke({ f: 'start-pause', value: { target: 'primary', nodes: ['n5'] } }, ctx)) as NodeFaultDone;
    expect(done.nodes).toEqual(['n2']);
    await until(() => stopped('n2'));
    await nemesis.heal(ctx);
    await nemesis.heal(ctx);
    await until(() => fx.nodes.every((n) => !stopped(n)));
    expect(fx.crashes).toEqual([]);
  });
});
