import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/api/cluster.js';
import type { NemesisContext } from '../../src/api/nemesis.js';
import type { Grudge, Net } from '../../src/api/net.js';
import type { LinkShape } from '../../src/api/net.js';
import { clearCutLayer, setCutLayer } from '../../src/net/cut-layers.js';
import { isolate, normalize, star, union } from '../../src/net/grudge.js';
import { electionCrash, SERVE_MS, SLOW_LINK_MS, STAR_MS, type ElectionCrashDone } from '../../nemeses/election-crash.js';
import { watchPrimary } from '../../nemeses/watch-primary.js';
import { checkScheduleLaws, expectSeedMatters } from './schedule-laws.js';

const five = ['n1', 'n2', 'n3', 'n4', 'n5'];
/** How the fake net records a partition (normalized, so equal grudges read the same). */
const cutCall = (g: Grudge): string => `cut ${JSON.stringify(normalize(g))}`;

/**
 * A cluster whose primary follows a script: `elect(…)` decides who leads after each kill, so the
 * fault's steps can be checked in order; every call is recorded, and when it came (`at`, ms).
 */
function scriptedCluster(elect: (killed: readonly string[], running: ReadonlySet<string>) => string | undefined, initial: string | undefined, nodes: readonly string[] = five) {
  const running = new Set(nodes);
  const killed: string[] = [];
  const recorded: string[] = [];
  const at: number[] = [];
  const calls = {
    push(call: string) {
      recorded.push(call);
      at.push(performance.now());
    },
  };
  let primary = initial;
  const cluster = {
    nodes,
    clientAddresses: {},
    isRunning: (node: string) => running.has(node),
    kill: async (node: string) => {
      running.delete(node);
      killed.push(node);
      calls.push(`kill ${node}`);
    },
    start: async (node: string) => {
      running.add(node);
      calls.push(`start ${node}`);
    },
    primary: async () => {
      const now = elect(killed, running);
      if (now !== undefined) primary = now;
      return primary !== undefined && running.has(primary) ? primary : undefined;
    },
  } as unknown as Cluster;
  let grudge: Grudge = {};
  const net = {
    kind: 'fake',
    partition: async (g: Grudge) => {
      grudge = g;
      calls.push(Object.keys(g).length === 0 ? 'heal' : cutCall(g));
    },
    shape: async (shape: LinkShape, links: unknown[]) => {
      calls.push(`shape ${JSON.stringify(shape)} on ${links.length} links`);
    },
  } as unknown as Net;
  const ctx: NemesisContext = { cluster, net, signal: new AbortController().signal };
  return { ctx, calls: recorded, at, grudge: () => grudge };
}

describe('election-crash schedule', () => {
  it('keeps the schedule laws, with no faults below three nodes', () => {
    expectSeedMatters(electionCrash);
    checkScheduleLaws(electionCrash, (schedule, nodes) => {
      if (nodes.length < 3) expect(schedule).toEqual([]);
      for (const entry of schedule) if (entry.f === 'start-election-crash') expect(entry.value).toEqual({ target: 'primary' });
    });
  });

  it('takes only {target: primary}', () => {
    expect(() => electionCrash.validate!({ f: 'start-election-crash', value: { target: 'primary' } }, five)).not.toThrow();
    expect(() => electionCrash.validate!({ f: 'start-election-crash', value: { nodes: ['n1'] } }, five)).toThrow(/takes/);
  });
});

describe('election-crash nemesis', () => {
  it('slows the links, kills the primary, cuts off each new one at once and crash-restarts the rest while a majority is left, then makes the last one cut off a star hub', async () => {
    // n1 leads; once it is killed n3 wins; after the first crash round n5 wins, after the second n2.
    const next: Record<number, string> = { 1: 'n3', 4: 'n5', 7: 'n2' };
    const { ctx, calls, at, grudge } = scriptedCluster((killed) => next[killed.length], 'n1');
    const nemesis = electionCrash.build();
    const done = (await nemesis.invoke({ f: 'start-election-crash', value: { target: 'primary' } }, ctx)) as ElectionCrashDone;
    const returned = performance.now();
    expect(done).toMatchObject({
      killed: 'n1',
      rounds: [
        { cut: 'n3', crashed: ['n2', 'n4', 'n5'] },
        { cut: 'n5', crashed: ['n1', 'n2', 'n4'] },
      ],
      serving: 'n2',
      hub: 'n5',
    });
    const slow = `shape ${JSON.stringify({ latencyMs: SLOW_LINK_MS })} on 20 links`;
    expect(calls.slice(0, 2)).toEqual([slow, 'kill n1']);
    expect(calls.slice(2, 6).sort()).toEqual([cutCall(isolate(five, 'n3')), 'kill n2', 'kill n4', 'kill n5'].sort());
    expect(calls.slice(6, 10).sort()).toEqual(['start n1', 'start n2', 'start n4', 'start n5']);
    expect(calls.slice(10, 14).sort()).toEqual([cutCall(union(isolate(five, 'n3'), isolate(five, 'n5'))), 'kill n1', 'kill n2', 'kill n4'].sort());
    expect(calls.slice(14, 17).sort()).toEqual(['start n1', 'start n2', 'start n4']);
    // n2 leads the three left uncut; n5, cut off last, now hears and is heard by everyone.
    expect(calls.slice(17)).toEqual([cutCall(star(five, 'n5'))]);
    // n2 serves alone for a while first, and the star stays in force for a while before the start returns.
    expect(at[17]! - at[16]!).toBeGreaterThanOrEqual(SERVE_MS - 5);
    expect(returned - at[17]!).toBeGreaterThanOrEqual(STAR_MS - 5);
    expect(done.text).toContain('n3 elected after');
    expect(done.text).toContain('n5 the hub of a star');
    expect(await nemesis.invoke({ f: 'stop-election-crash' }, ctx)).toEqual({ text: 'heal the partition; restore link speed' });
    expect(calls.slice(18)).toEqual(['heal', 'shape {} on 20 links']);
    expect(grudge()).toEqual({});
    expect(await nemesis.invoke({ f: 'stop-election-crash' }, ctx)).toEqual({ text: 'nothing to undo' });
  });

  it('stops cutting when the next cut would leave no majority: with three nodes, one round; another nemesis\'s cut stays through it', async () => {
    const three = ['n1', 'n2', 'n3'];
    const { ctx, calls, grudge } = scriptedCluster((killed) => ({ 1: 'n2', 2: 'n3' })[killed.length], 'n1', three);
    const other = { n3: ['n1'] }; // a cut of the partition nemesis, in force before and after
    await setCutLayer(ctx.net, 'partition', other);
    const nemesis = electionCrash.build();
    const done = (await nemesis.invoke({ f: 'start-election-crash', value: { target: 'primary' } }, ctx)) as ElectionCrashDone;
    expect(done).toMatchObject({ killed: 'n1', rounds: [{ cut: 'n2', crashed: ['n3'] }], serving: 'n3', hub: 'n2', others: ['partition'] });
    expect(calls.filter((c) => c.startsWith('cut ')).slice(1)).toEqual([cutCall(union(isolate(three, 'n2'), other)), cutCall(union(star(three, 'n2'), other))]);
    expect(done.inForce).toEqual(union(star(three, 'n2'), other));
    expect(done.text).toMatch(/n2 the hub of a star; with partition's cuts, in force: /);
    expect(await nemesis.invoke({ f: 'stop-election-crash' }, ctx)).toEqual({ text: "heal the partition; partition's cuts stay in force: n1 -/-> n3; restore link speed" });
    expect(grudge()).toEqual(other);
    await clearCutLayer(ctx.net, 'partition');
    expect(grudge()).toEqual({});
  });

  it('does nothing without a primary, and restarts the killed one when nobody else is elected', async () => {
    const none = scriptedCluster(() => undefined, undefined);
    expect(await electionCrash.build().invoke({ f: 'start-election-crash', value: { target: 'primary' } }, none.ctx)).toEqual({ text: 'no primary known: nothing done' });
    expect(none.calls).toEqual([]);
    // n1 stays the only primary there is: once it is down nobody is elected.
    const stuck = scriptedCluster(() => undefined, 'n1');
    const nemesis = electionCrash.build();
    const done = (await nemesis.invoke({ f: 'start-election-crash', value: { target: 'primary' } }, stuck.ctx)) as ElectionCrashDone;
    expect(done.text).toMatch(/no other primary within \d+ ms/);
    expect(done.hub).toBeUndefined();
    expect(stuck.calls.slice(1)).toEqual(['kill n1', 'start n1']);
    expect(await nemesis.invoke({ f: 'stop-election-crash' }, stuck.ctx)).toEqual({ text: 'restore link speed' });
  });

  it('watches for a wanted primary until it is seen, the time is up or the signal aborts', async () => {
    const abort = new AbortController();
    let asked = 0;
    const cluster = { primary: async () => (++asked, 'n1') };
    const waiting = watchPrimary(cluster, abort.signal, 60_000, (p) => p !== 'n1');
    while (asked < 3) await new Promise((r) => setTimeout(r, 1));
    abort.abort();
    expect(await waiting).toBeUndefined();
    expect(await watchPrimary(cluster, new AbortController().signal, 50, () => false)).toBeUndefined();
    expect(await watchPrimary({ primary: async () => 'n4' }, new AbortController().signal, 1000, (p) => p === 'n4')).toBe('n4');
  });
});
