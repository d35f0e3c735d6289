import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/api/cluster.js';
import type { NemesisContext } from '../../src/api/nemesis.js';
import type { Grudge, Net } from '../../src/api/net.js';
import type { LinkShape } from '../../src/api/net.js';
import { clearCutLayer, setCutLayer } from '../../src/net/cut-layers.js';
import { complete, normalize, union } from '../../src/net/grudge.js';
import { BRIDGE_MS, electionCrash, electionSides, nodesAfter, overlapOf, SLOW_LINK_MS, type ElectionCrashDone } from '../../nemeses/election-crash.js';
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
  it('splits off the primary with the nodes after it and kills it, crash-restarts the overlap of the next primary\'s voters onto that side, then lets the overlap bridge both sides', async () => {
    // n1 leads; once it is killed n4 wins among n3, n4, n5; once n5 is crashed the other side elects n2.
    const next: Record<number, string> = { 1: 'n4', 2: 'n2' };
    const { ctx, calls, at, grudge } = scriptedCluster((killed) => next[killed.length], 'n1');
    const nemesis = electionCrash.build();
    const done = (await nemesis.invoke({ f: 'start-election-crash', value: { target: 'primary' } }, ctx)) as ElectionCrashDone;
    const returned = performance.now();
    expect(done).toMatchObject({ killed: 'n1', idle: ['n1', 'n2'], first: 'n4', overlap: ['n5'], second: 'n2' });
    const slow = `shape ${JSON.stringify({ latencyMs: SLOW_LINK_MS })} on 20 links`;
    expect(calls[0]).toBe(slow);
    // The cut reaches the net before the kill (setCutLayer calls the net at once when idle).
    expect(calls.slice(1, 3)).toEqual([cutCall(complete([['n3', 'n4', 'n5'], ['n1', 'n2']])), 'kill n1']);
    expect(calls[3]).toBe('start n1');
    // The cut lands with the crash, before the first primary's first append could reach n5.
    expect(calls.slice(4, 6)).toEqual([cutCall(complete([['n3', 'n4'], ['n1', 'n2', 'n5']])), 'kill n5']);
    expect(calls.slice(6, 8).sort()).toEqual(['shape {} on 20 links', 'start n5']);
    // n5 now hears both sides; n3, n4 and n1, n2 still do not hear each other.
    expect(calls.slice(8)).toEqual([cutCall(complete([['n3', 'n4'], ['n1', 'n2']]))]);
    expect(returned - at[8]!).toBeGreaterThanOrEqual(BRIDGE_MS - 5);
    expect(done.text).toMatch(/n4 elected after \d+ ms: crash and restart n5 on the other side; n2 elected after \d+ ms; n5 bridge the two sides/);
    expect(await nemesis.invoke({ f: 'stop-election-crash' }, ctx)).toEqual({ text: 'heal the partition' });
    expect(calls.slice(9)).toEqual(['heal']);
    expect(grudge()).toEqual({});
    expect(await nemesis.invoke({ f: 'stop-election-crash' }, ctx)).toEqual({ text: 'nothing to undo' });
  });

  it('sizes the sides by the majority: the idle side plus the overlap is a majority, the first primary keeps one with the overlap', () => {
    for (let n = 3; n <= 9; n++) {
      const nodes = Array.from({ length: n }, (_, i) => `n${i + 1}`);
      const majority = Math.floor(n / 2) + 1;
      for (const primary of nodes) {
        const { idle, voters } = electionSides(nodes, primary);
        expect(idle[0]).toBe(primary);
        expect(voters).toHaveLength(majority);
        expect([...idle, ...voters].sort()).toEqual([...nodes].sort());
        for (const first of voters) {
          const overlap = overlapOf(nodes, voters, first);
          expect(overlap).not.toContain(first);
          expect(overlap.every((o) => voters.includes(o))).toBe(true);
          expect(idle.length + overlap.length).toBeGreaterThanOrEqual(majority);
          expect(voters.length).toBeGreaterThanOrEqual(majority);
        }
      }
    }
    expect(nodesAfter(five, 'n4', 3)).toEqual(['n5', 'n1', 'n2']);
    expect(nodesAfter(five, 'n4', 2, ['n2', 'n3'])).toEqual(['n2', 'n3']);
  });

  it('with three nodes: the primary idles alone, the overlap is the other voter; another nemesis\'s cut stays through it', async () => {
    const three = ['n1', 'n2', 'n3'];
    const { ctx, calls, grudge } = scriptedCluster((killed) => ({ 1: 'n2', 2: 'n1' })[killed.length], 'n1', three);
    const other = { n3: ['n1'] }; // a cut of the partition nemesis, in force before and after
    await setCutLayer(ctx.net, 'partition', other);
    const nemesis = electionCrash.build();
    const done = (await nemesis.invoke({ f: 'start-election-crash', value: { target: 'primary' } }, ctx)) as ElectionCrashDone;
    expect(done).toMatchObject({ killed: 'n1', idle: ['n1'], first: 'n2', overlap: ['n3'], second: 'n1', others: ['partition'] });
    const bridged = union(complete([['n2'], ['n1']]), other);
    expect(calls.at(-1)).toBe(cutCall(bridged));
    expect(done.inForce).toEqual(bridged);
    expect(done.text).toMatch(/n3 bridge the two sides; with partition's cuts, in force: /);
    expect(await nemesis.invoke({ f: 'stop-election-crash' }, ctx)).toEqual({ text: "heal the partition; partition's cuts stay in force: n1 -/-> n3" });
    expect(grudge()).toEqual(other);
    await clearCutLayer(ctx.net, 'partition');
    expect(grudge()).toEqual({});
  });

  it('does nothing without a primary, and stops where an election does not come', async () => {
    const none = scriptedCluster(() => undefined, undefined);
    expect(await electionCrash.build().invoke({ f: 'start-election-crash', value: { target: 'primary' } }, none.ctx)).toEqual({ text: 'no primary known: nothing done' });
    expect(none.calls).toEqual([]);
    // n1 stays the only primary there is: once it is down nobody is elected.
    const stuck = scriptedCluster(() => undefined, 'n1');
    const nemesis = electionCrash.build();
    const done = (await nemesis.invoke({ f: 'start-election-crash', value: { target: 'primary' } }, stuck.ctx)) as ElectionCrashDone;
    expect(done.text).toMatch(/no other primary within \d+ ms$/);
    expect(done.first).toBeUndefined();
    expect(stuck.calls.slice(1).sort()).toEqual([cutCall(complete([['n3', 'n4', 'n5'], ['n1', 'n2']])), 'kill n1', 'start n1'].sort());
    expect(await nemesis.invoke({ f: 'stop-election-crash' }, stuck.ctx)).toEqual({ text: 'heal the partition; restore link speed' });
    // n4 is elected, but the other side elects nobody once n5 is crashed: no bridge.
    const half = scriptedCluster((killed) => (killed.length === 1 ? 'n4' : undefined), 'n1');
    const partial = (await electionCrash.build().invoke({ f: 'start-election-crash', value: { target: 'primary' } }, half.ctx)) as ElectionCrashDone;
    expect(partial).toMatchObject({ first: 'n4', overlap: ['n5'] });
    expect(partial.second).toBeUndefined();
    expect(partial.text).toMatch(/no primary there within \d+ ms$/);
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
