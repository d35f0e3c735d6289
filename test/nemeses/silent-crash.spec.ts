import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/api/cluster.js';
import type { NemesisContext } from '../../src/api/nemesis.js';
import type { Grudge, Net } from '../../src/api/net.js';
import { MUTED_BEFORE_KILL_MS, silentCrash } from '../../nemeses/silent-crash.js';
import { checkScheduleLaws, expectSeedMatters } from './schedule-laws.js';

const NODES = ['n1', 'n2', 'n3'];

/** A cluster and a net that record what is done to them, in order. */
function recorder(primary?: string): { ctx: NemesisContext; calls: string[] } {
  const calls: string[] = [];
  const cluster = {
    nodes: NODES,
    primary: async () => primary,
    kill: async (n: string) => void calls.push(`kill ${n}`),
    start: async (n: string) => void calls.push(`start ${n}`),
  } as unknown as Cluster;
  const net = { partition: async (g: Grudge) => void calls.push(`partition ${JSON.stringify(g)}`) } as unknown as Net;
  return { ctx: { cluster, net, signal: new AbortController().signal }, calls };
}

describe('silent-crash schedule', () => {
  it('keeps the schedule laws: a mute long enough for in-flight work, then the crash and heal', () => {
    expectSeedMatters(silentCrash);
    checkScheduleLaws(silentCrash, (schedule, nodes) => {
      for (let i = 0; i < schedule.length; i += 2) {
        const [start, stop] = schedule.slice(i, i + 2);
        expect([start?.f, stop?.f]).toEqual(['start-silent-crash', 'stop-silent-crash']);
        expect(start!.value).toEqual({ node: expect.toBeOneOf([...nodes]), primary: true });
        expect(stop!.atMs - start!.atMs).toBeGreaterThanOrEqual(MUTED_BEFORE_KILL_MS);
      }
    });
  });

  it('refuses a node the cluster does not have', () => {
    expect(() => silentCrash.validate!({ f: 'start-silent-crash', value: { node: 'n9' } }, NODES)).toThrow(/needs \{node: one of n1, n2, n3\}/);
    expect(() => silentCrash.validate!({ f: 'start-silent-crash', value: { node: 'n2' } }, NODES)).not.toThrow();
  });
});

describe('silent-crash operations', () => {
  it('mutes one way, then kills the node while muted and starts it again before healing', async () => {
    const { ctx, calls } = recorder();
    const nemesis = silentCrash.build();
    expect(await nemesis.invoke({ f: 'start-silent-crash', value: { node: 'n2' } }, ctx)).toMatchObject({ node: 'n2' });
    expect(await nemesis.invoke({ f: 'stop-silent-crash' }, ctx)).toEqual({ node: 'n2', text: 'kill n2 while muted, start it again, heal' });
    expect(calls).toEqual(['partition {"n1":["n2"],"n3":["n2"]}', 'kill n2', 'start n2', 'partition {}']);
  });

  it('aimed at the primary, mutes the node the system names when the fault runs, else the stand-in', async () => {
    for (const [primary, muted, text] of [['n3', 'n3', 'n3 (primary)'], [undefined, 'n2', 'n2 (no primary known)']] as const) {
      const { ctx, calls } = recorder(primary);
      const nemesis = silentCrash.build();
      expect(await nemesis.invoke({ f: 'start-silent-crash', value: { node: 'n2', primary: true } }, ctx)).toEqual({ node: muted, text: `mute ${text}: its messages reach nobody, it hears everyone` });
      expect(calls).toEqual([`partition ${JSON.stringify(Object.fromEntries(NODES.filter((n) => n !== muted).map((n) => [n, [muted]])))}`]);
    }
  });

  it('heal lifts a mute without a crash, and then has nothing to undo', async () => {
    const { ctx, calls } = recorder();
    const nemesis = silentCrash.build();
    await nemesis.invoke({ f: 'start-silent-crash', value: { node: 'n1' } }, ctx);
    await nemesis.heal(ctx);
    await nemesis.heal(ctx);
    expect(calls).toEqual(['partition {"n2":["n1"],"n3":["n1"]}', 'partition {}']);
    expect(await nemesis.invoke({ f: 'stop-silent-crash' }, ctx)).toEqual({ text: 'nothing to undo' });
  });
});
