/**
 * The bully election of the shared Raft core (src/node/raft/bully-election.ts), in the
 * deterministic simulation: the highest-ranked live node wins, a higher node that returns takes
 * over with a fresh term, a stale coordinator is refused, and replication stays safe under random
 * faults; with bug bully-no-term two leaders share a term.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chaos, expectSafeUnderChaos } from '../../clusters/chaos.js';
import { Sim } from '../../clusters/raft-kv/sim.js';

const write = (key: string, value: number) => ({ f: 'write' as const, key, value });
/** Does `id` lead, followed by every running node of `among`? */
const leaderOfAll =
  (sim: Sim, id: string, among: readonly string[] = sim.ids) =>
  () =>
    sim.raft(id).status().role === 'leader' && among.every((n) => !sim.isUp(n) || sim.raft(n).status().leader === id);

describe('bully election', () => {
  it('elects the highest-ranked node, and the next one when it dies', () => {
    for (const seed of [1, 2, 3]) {
      const sim = new Sim({ nodes: 5, seed, election: 'bully' });
      sim.runUntil(leaderOfAll(sim, 'n5'), 2000);
      sim.crash('n5');
      sim.runUntil(leaderOfAll(sim, 'n4'), 3000);
      sim.run(2000);
      expect(sim.leader()).toBe('n4');
      expect(sim.violations).toEqual([]);
    }
  });

  it('a returning higher node takes over with a fresh term and the most up-to-date log of its majority', () => {
    const sim = new Sim({ nodes: 5, seed: 4, election: 'bully' });
    sim.runUntil(leaderOfAll(sim, 'n5'), 2000);
    sim.partition([['n5'], ['n1', 'n2', 'n3', 'n4']]);
    sim.runUntil(leaderOfAll(sim, 'n4', ['n1', 'n2', 'n3']), 3000);
    const term = sim.raft('n4').currentTerm;
    for (let i = 1; i <= 5; i++) expect(sim.call('n4', write('k', i))).toEqual({ type: 'ok', value: i });
    sim.heal();
    sim.runUntil(leaderOfAll(sim, 'n5'), 3000);
    expect(sim.raft('n5').currentTerm).toBeGreaterThan(term);
    // n5 missed the writes while cut off; leading, it has them all.
    expect(sim.call('n5', { f: 'read', key: 'k' })).toEqual({ type: 'ok', value: 5 });
    expect(sim.violations).toEqual([]);
  });

  it('refuses a stale coordinator, and a lower one while a higher leader lives', () => {
    const sim = new Sim({ nodes: 3, seed: 5, election: 'bully' });
    sim.runUntil(leaderOfAll(sim, 'n3'), 2000);
    sim.run(300);
    const n1 = sim.raft('n1');
    const term = n1.currentTerm;
    // What n1 sends, taken straight from the core (the simulation pumps it only on its own steps).
    const sent = () => {
      const out = [];
      for (let rd = n1.ready(); rd; rd = n1.ready()) for (const m of rd.messages) out.push(m);
      return out;
    };
    // A coordinator of an old term (an old leader returning): refused with the current term.
    n1.receive({ type: 'coordinator', from: 'n2', term: term - 1, commit: 0, lastIndex: 0, lastTerm: 0, sentAt: 0 });
    expect(sent().find((o) => o.to === 'n2')?.msg).toMatchObject({ type: 'coordinator-ack', granted: false, term });
    // A fresh term from n2 while n3 leads: refused as outranked, and n1 still follows n3.
    n1.receive({ type: 'coordinator', from: 'n2', term: term + 1, commit: 0, lastIndex: 0, lastTerm: 0, sentAt: 0 });
    expect(sent().find((o) => o.to === 'n2')?.msg).toMatchObject({ type: 'coordinator-ack', granted: false, outranked: true });
    expect(n1.status()).toMatchObject({ term, leader: 'n3' });
  });

  it('an old leader is fenced: once the majority moved to a higher term, its writes are never acknowledged', () => {
    const sim = new Sim({ nodes: 5, seed: 6, election: 'bully' });
    sim.runUntil(leaderOfAll(sim, 'n5'), 2000);
    sim.partition([['n5', 'n1'], ['n2', 'n3', 'n4']]);
    sim.runUntil(leaderOfAll(sim, 'n4', ['n2', 'n3']), 3000);
    const rid = sim.request('n5', write('k', 1));
    sim.run(1500);
    expect(sim.replies.get(rid)?.type).not.toBe('ok');
    expect(sim.raft('n5').status().role).not.toBe('leader');
    expect(sim.violations).toEqual([]);
  });

  it('keeps one leader per term, committed entries and linearizable reads under random faults', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.constantFrom(3, 5), (seed, nodes) => {
        expectSafeUnderChaos(new Sim({ nodes, seed, election: 'bully', dropRate: 0.02 }), { seed, durationMs: 8000, crashes: true, oneWay: true, skewMs: 5000 });
      }),
      { numRuns: 25 },
    );
  });

  it('with bug bully-no-term, leadership changes without a new term and two leaders share one', () => {
    const result = fc.check(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        const sim = new Sim({ nodes: 5, seed, bugs: ['bully-no-term'] });
        const out = chaos(sim, { seed, durationMs: 8000, crashes: true, oneWay: true });
        expect(sim.violations).toEqual([]);
        expect(out.staleReads).toEqual([]);
      }),
      { numRuns: 30 },
    );
    expect(result.failed).toBe(true);
  });
});
