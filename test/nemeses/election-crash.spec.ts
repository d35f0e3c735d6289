import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/api/cluster.js';
import type { NemesisContext } from '../../src/api/nemesis.js';
import type { Grudge, Net } from '../../src/api/net.js';
import { isolate } from '../../src/net/grudge.js';
import { electionCrash, watchPrimary, type ElectionCrashDone } from '../../nemeses/election-crash.js';
import { checkScheduleLaws, expectSeedMatters } from './schedule-laws.js';

const five = ['n1', 'n2', 'n3', 'n4', 'n5'];

/**
 * A cluster whose primary follows a script: `elect(…)` decides who leads after each kill, so the
 * fault's steps can be checked in order; every call is recorded with the cut in force then.
 */
function scriptedCluster(elect: (killed: readonly string[], running: ReadonlySet<string>) => string | undefined, initial: string | undefined) {
  const running = new Set(five);
  const killed: string[] = [];
  const calls: string[] = [];
  let grudge: Grudge = {};
  let primary = initial;
  const cluster = {
    nodes: five,
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
  const net = {
    kind: 'fake',
    partition: async (g: Grudge) => {
      grudge = g;
      calls.push(Object.keys(g).length === 0 ? 'heal' : `cut ${JSON.stringify(g)}`);
    },
  } as unknown as Net;
  const ctx: NemesisContext = { cluster, net, signal: new AbortController().signal };
  return { ctx, calls, grudge: () => grudge };
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
  it('kills the primary, cuts off the next one at once, crash-restarts the rest, and heals once they elect their own', async () => {
    // n1 leads; once it is killed n3 wins; once n3 is cut off and the others restarted, n5 wins.
    const { ctx, calls, grudge } = scriptedCluster((killed) => (killed.length === 0 ? undefined : killed.length === 1 ? 'n3' : 'n5'), 'n1');
    const nemesis = electionCrash.build();
    const done = (await nemesis.invoke({ f: 'start-election-crash', value: { target: 'primary' } }, ctx)) as ElectionCrashDone;
    expect(done).toMatchObject({ killed: 'n1', elected: 'n3', crashed: ['n2', 'n4', 'n5'], next: 'n5' });
    expect(calls[0]).toBe('kill n1');
    expect(calls.slice(1, 5).sort()).toEqual([`cut ${JSON.stringify(isolate(five, 'n3'))}`, 'kill n2', 'kill n4', 'kill n5'].sort());
    expect(calls.slice(5, 9).sort()).toEqual(['start n1', 'start n2', 'start n4', 'start n5']);
    expect(calls[9]).toBe('heal');
    expect(grudge()).toEqual({});
    expect(done.text).toContain('n3 elected after');
    expect(await nemesis.invoke({ f: 'stop-election-crash' }, ctx)).toEqual({ text: 'nothing to undo' });
  });

  it('does nothing without a primary, and restarts the killed one when nobody else is elected', async () => {
    const none = scriptedCluster(() => undefined, undefined);
    expect(await electionCrash.build().invoke({ f: 'start-election-crash', value: { target: 'primary' } }, none.ctx)).toEqual({ text: 'no primary known: nothing done' });
    expect(none.calls).toEqual([]);
    // n1 stays the only primary there is: once it is down nobody is elected.
    const stuck = scriptedCluster(() => undefined, 'n1');
    const done = (await electionCrash.build().invoke({ f: 'start-election-crash', value: { target: 'primary' } }, stuck.ctx)) as ElectionCrashDone;
    expect(done.text).toMatch(/no other primary within \d+ ms, so restart it/);
    expect(stuck.calls).toEqual(['kill n1', 'start n1']);
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
