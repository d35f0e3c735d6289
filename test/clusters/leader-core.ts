/**
 * What every leader-based key-value core must do, as one suite run against each system's
 * simulation (../sim.ts): elect one leader quickly and keep it, not let a node that was cut off
 * depose it, replace a leader that is cut off, serve writes, cas and linearizable reads, never
 * serve a read from a minority, survive a restart of every node, catch up a node that missed
 * entries, and under random faults keep its invariants while each known bug breaks them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KvRequest } from '../../src/node/kv/protocol.js';
import type { CoreBatch, NodeCore } from '../../src/node/kv/run-node.js';
import type { KvStateMachine } from '../../src/node/kv/state-machine.js';
import { chaos, expectSafeUnderChaos } from './chaos.js';
import type { CoreSim } from './sim.js';

type Core = NodeCore<unknown, CoreBatch> & { sm: KvStateMachine };
type AnySim = CoreSim<any, any, any, any>;

export interface CoreUnderTest {
  /** How the tests name it: `multi-paxos core`, ... */
  name: string;
  sim(opts: { nodes: number; seed: number; readMode?: string; bugs?: string[]; dropRate?: number }): AnySim;
  /** Known bugs, and whether the random faults should crash nodes to expose each. */
  bugs: Record<string, { crashes: boolean }>;
  /** Does a leader cut off from a majority step down on its own (check-quorum)? */
  checkQuorum: boolean;
}

const write = (key: string, value: number | string): KvRequest => ({ f: 'write', key, value });
const read = (key: string): KvRequest => ({ f: 'read', key });
const cas = (key: string, from: number | null, to: number): KvRequest => ({ f: 'cas', key, value: [from, to] });

const core = (sim: AnySim, id: string): Core => sim.core(id) as Core;
const status = (sim: AnySim, id: string) => core(sim, id).status();

export function describeLeaderCore(c: CoreUnderTest): void {
  describe(`${c.name}: elections`, () => {
    it('elects one leader in a 5-node cluster well under 2 s, and keeps it', () => {
      for (const seed of [1, 2, 3, 4, 5]) {
        const sim = c.sim({ nodes: 5, seed });
        expect(sim.runUntil(() => sim.leader() !== undefined, 2000)).toBeLessThan(1500);
        const leader = sim.leader()!;
        sim.run(3000);
        expect(sim.leader()).toBe(leader);
        for (const id of sim.ids) expect(status(sim, id).leader).toBe(leader);
        expect(sim.violations).toEqual([]);
      }
    });

    it('a node cut off does not raise its term (it probes first), so it does not depose the leader on return', () => {
      const sim = c.sim({ nodes: 5, seed: 8 });
      const leader = sim.stableLeader();
      const term = status(sim, leader).term;
      const lonely = sim.ids.find((id) => id !== leader)!;
      sim.partition([sim.ids.filter((id) => id !== lonely)]);
      sim.run(3000);
      expect(status(sim, lonely).term).toBe(term);
      sim.heal();
      sim.run(1000);
      expect(sim.leader()).toBe(leader);
      expect(status(sim, leader).term).toBe(term);
    });

    it(`elects a new leader after the old one is cut off; the old one steps down ${c.checkQuorum ? '' : 'after the heal '}and follows`, () => {
      const sim = c.sim({ nodes: 5, seed: 7 });
      const old = sim.stableLeader();
      const others = sim.ids.filter((id) => id !== old);
      sim.partition([others]);
      sim.runUntil(() => others.some((id) => status(sim, id).role === 'leader'), 2000);
      sim.run(1500);
      expect(status(sim, old).role).toBe(c.checkQuorum ? 'follower' : 'leader');
      sim.heal();
      sim.run(1000);
      const leaders = sim.ids.filter((id) => status(sim, id).role === 'leader');
      expect(leaders).toHaveLength(1);
      expect(status(sim, old).leader).toBe(leaders[0]);
      expect(sim.violations).toEqual([]);
    });
  });

  describe(`${c.name}: replication, reads and recovery`, () => {
    for (const readMode of ['read-index', 'log']) {
      it(`serves writes, cas and ${readMode} reads, and every node applies the same state`, () => {
        const sim = c.sim({ nodes: 5, seed: 3, readMode });
        const leader = sim.stableLeader();
        for (let i = 1; i <= 20; i++) expect(sim.call(leader, write(`k${i % 3}`, i))).toEqual({ type: 'ok', value: i });
        expect(sim.call(leader, read('k2'))).toEqual({ type: 'ok', value: 20 });
        expect(sim.call(leader, cas('k2', 20, 21))).toEqual({ type: 'ok', value: 21 });
        expect(sim.call(leader, cas('k2', 20, 22))).toEqual({ type: 'fail', error: 'precondition-failed' });
        expect(sim.call(leader, read('absent'))).toEqual({ type: 'ok', value: null });
        const follower = sim.ids.find((id) => id !== leader)!;
        expect(sim.call(follower, read('k2'))).toEqual({ type: 'fail', error: 'not-leader', leader });
        sim.run(500);
        for (const id of sim.ids) expect(core(sim, id).sm.get('k2')).toBe(21);
        expect(sim.violations).toEqual([]);
      });
    }

    it('a leader cut off in a minority serves no reads and acknowledges no writes; after the heal every node agrees', () => {
      const sim = c.sim({ nodes: 5, seed: 12 });
      const old = sim.stableLeader();
      expect(sim.call(old, write('x', 1))).toMatchObject({ type: 'ok' });
      const minority = [old, sim.ids.find((id) => id !== old)!];
      const majority = sim.ids.filter((id) => !minority.includes(id));
      sim.partition([minority, majority]);
      const lost = sim.request(old, write('x', 'minority'));
      const fresh = sim.stableLeader(3000, majority);
      expect(sim.call(fresh, write('x', 2))).toMatchObject({ type: 'ok' });
      const stale = sim.request(old, read('x'));
      sim.run(2000);
      expect(sim.replies.get(stale)?.type).not.toBe('ok');
      expect(sim.replies.get(lost)?.type).not.toBe('ok');
      sim.heal();
      sim.run(1500);
      for (const id of sim.ids) expect(core(sim, id).sm.get('x')).toBe(2);
      expect(sim.violations).toEqual([]);
    });

    it('a write a majority holds survives the crash of a leader that never learned it was committed', () => {
      const sim = c.sim({ nodes: 5, seed: 21 });
      const leader = sim.stableLeader();
      expect(sim.call(leader, write('x', 1))).toMatchObject({ type: 'ok' });
      // Followers still hear the leader, but their answers never reach it.
      for (const id of sim.ids) if (id !== leader) sim.block(id, leader);
      const rid = sim.request(leader, write('x', 2));
      sim.run(30);
      expect(sim.replies.has(rid)).toBe(false);
      sim.crash(leader);
      sim.heal();
      const next = sim.stableLeader();
      expect(sim.call(next, read('x'))).toEqual({ type: 'ok', value: 2 });
      expect(sim.violations).toEqual([]);
    });

    it('keeps its durable state across a restart of every node', () => {
      const sim = c.sim({ nodes: 3, seed: 5 });
      const leader = sim.stableLeader();
      for (let i = 1; i <= 10; i++) expect(sim.call(leader, write('k', i))).toMatchObject({ type: 'ok' });
      const terms = sim.ids.map((id) => status(sim, id).term);
      for (const id of sim.ids) sim.crash(id);
      for (const id of sim.ids) sim.restart(id);
      expect(sim.ids.map((id) => status(sim, id).term)).toEqual(terms);
      const next = sim.stableLeader();
      expect(sim.call(next, read('k'))).toEqual({ type: 'ok', value: 10 });
      expect(sim.violations).toEqual([]);
    });

    it('a node that missed entries catches up', () => {
      const sim = c.sim({ nodes: 3, seed: 9 });
      const leader = sim.stableLeader();
      const late = sim.ids.find((id) => id !== leader)!;
      sim.crash(late);
      for (let i = 1; i <= 700; i++) sim.request(leader, write(`k${i % 7}`, i));
      sim.run(2000);
      sim.restart(late);
      sim.run(2000);
      expect(status(sim, late).commitIndex).toBe(status(sim, leader).commitIndex);
      expect(core(sim, late).sm.get('k0')).toBe(core(sim, leader).sm.get('k0'));
    });
  });

  const seeds = fc.integer({ min: 1, max: 2 ** 31 - 1 });

  describe(`${c.name} under random faults (simulated)`, () => {
    it('keeps one leader per term, committed entries and linearizable reads, and recovers after healing', () => {
      fc.assert(
        fc.property(seeds, fc.constantFrom(3, 5), fc.constantFrom('read-index', 'log'), fc.double({ min: 0, max: 0.1, noNaN: true }), (seed, nodes, readMode, dropRate) => {
          expectSafeUnderChaos(c.sim({ nodes, seed, readMode, dropRate }), { seed, durationMs: 8000, crashes: true, oneWay: true, skewMs: 5000 });
        }),
        { numRuns: 40 },
      );
    });

    for (const [bug, { crashes }] of Object.entries(c.bugs)) {
      it(`finds violations with bug ${bug}`, () => {
        const result = fc.check(
          fc.property(seeds, fc.constantFrom(3, 5), (seed, nodes) => {
            const sim = c.sim({ nodes, seed, bugs: [bug], dropRate: 0.02 });
            const out = chaos(sim, { seed, durationMs: 10_000, crashes, oneWay: true });
            return sim.violations.length === 0 && out.staleReads.length === 0;
          }),
          { numRuns: 60, endOnFailure: true },
        );
        expect(result.failed).toBe(true);
      });
    }
  });
}
