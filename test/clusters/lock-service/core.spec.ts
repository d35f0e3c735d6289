import { describe, expect, it } from 'vitest';
import { LEASE_TIMINGS } from '../../../clusters/lock-service/core.js';
import { LockSim } from './sim.js';

const { leaseMs, graceMs } = LEASE_TIMINGS;
const ok = (value: unknown) => ({ type: 'ok', value });

/** A cluster (3 nodes unless told) with a leader and session `s1` holding lock `a` under token 1. */
function holding(opts: { bugs?: string[]; seed?: number; election?: 'raft' | 'bully'; nodes?: number } = {}) {
  const sim = new LockSim({ nodes: opts.nodes ?? 3, seed: opts.seed ?? 3, ...(opts.bugs && { bugs: opts.bugs }), ...(opts.election && { election: opts.election }) });
  const leader = sim.stableLeader();
  expect(sim.call(leader, { f: 'open', session: 's1' })).toEqual(ok({ leaseMs }));
  expect(sim.call(leader, { f: 'open', session: 's2' })).toEqual(ok({ leaseMs }));
  expect(sim.call(leader, { f: 'acquire', session: 's1', key: 'a' })).toEqual(ok(1));
  return { sim, leader };
}

/** Keep `s2` alive while `ms` of virtual time pass (s1 sends nothing). */
function passKeeping(sim: LockSim, leader: string, ms: number): void {
  for (let t = 0; t < ms; t += 250) {
    sim.request(leader, { f: 'keepalive', session: 's2' });
    sim.run(250);
  }
}

describe('lock-service core', () => {
  it('grants tokens that keep increasing across leader changes and restarts', () => {
    const { sim, leader } = holding();
    expect(sim.call(leader, { f: 'release', session: 's1', key: 'a', value: 1 })).toEqual(ok(1));
    sim.crash(leader);
    const next = sim.stableLeader(5000, sim.ids.filter((id) => id !== leader));
    sim.restart(leader);
    expect(sim.call(next, { f: 'acquire', session: 's2', key: 'a' })).toEqual(ok(2));
    expect(sim.violations).toEqual([]);
  });

  it("expires a silent session only after lease plus grace on the leader's clock, freeing its locks", () => {
    const { sim, leader } = holding();
    passKeeping(sim, leader, leaseMs + graceMs / 2);
    expect(sim.call(leader, { f: 'acquire', session: 's2', key: 'a' })).toMatchObject({ type: 'fail', error: 'held' });
    passKeeping(sim, leader, graceMs / 2 + 500);
    expect(sim.call(leader, { f: 'acquire', session: 's2', key: 'a' })).toEqual(ok(2));
    expect(sim.call(leader, { f: 'keepalive', session: 's1' })).toMatchObject({ type: 'fail', error: 'session-expired' });
  });

  it('keepalives keep a session and its locks', () => {
    const { sim, leader } = holding();
    for (let t = 0; t < 3 * (leaseMs + graceMs); t += 300) {
      sim.request(leader, { f: 'keepalive', session: 's1' });
      sim.request(leader, { f: 'keepalive', session: 's2' });
      sim.run(300);
    }
    expect(sim.call(leader, { f: 'acquire', session: 's2', key: 'a' })).toMatchObject({ type: 'fail', error: 'held' });
  });

  it('a new leader starts every lease afresh: a session does not expire early because the old leader died', () => {
    const { sim, leader } = holding();
    sim.run(leaseMs);
    sim.crash(leader);
    const next = sim.stableLeader(5000, sim.ids.filter((id) => id !== leader));
    sim.request(next, { f: 'keepalive', session: 's2' });
    sim.run(leaseMs);
    expect(sim.call(next, { f: 'acquire', session: 's2', key: 'a' })).toMatchObject({ type: 'fail', error: 'held' });
  });

  for (const bug of [false, true]) {
    it(`${bug ? 'with' : 'without'} bug lease-without-grace, a leader clock stepped a minute ahead ${bug ? 'takes' : 'does not take'} the lock from a holder inside its lease`, () => {
      const { sim, leader } = holding(bug ? { bugs: ['lease-without-grace'] } : {});
      sim.request(leader, { f: 'keepalive', session: 's1' });
      sim.run(100);
      sim.skew(leader, 60_000);
      passKeeping(sim, leader, 500);
      // s1 renewed 0.6 s ago by true time: its own lease has 0.9 s left.
      const r = sim.call(leader, { f: 'acquire', session: 's2', key: 'a' });
      expect(r).toEqual(bug ? ok(2) : { type: 'fail', error: 'held' });
    });
  }

  for (const election of ['raft', 'bully'] as const) {
    for (const bug of [false, true]) {
      it(`${election} election, ${bug ? 'with' : 'without'} bug no-fencing: every node restarted at once ${bug ? 'hands out' : 'does not hand out'} a granted token again`, () => {
        const { sim, leader } = holding({ election, ...(bug && { bugs: ['no-fencing'] }) });
        expect(sim.call(leader, { f: 'release', session: 's1', key: 'a', value: 1 })).toEqual(ok(1));
        expect(sim.call(leader, { f: 'acquire', session: 's1', key: 'a' })).toEqual(ok(2));
        expect(sim.call(leader, { f: 'release', session: 's1', key: 'a', value: 2 })).toEqual(ok(2));
        sim.run(200);
        for (const id of sim.ids) sim.crash(id);
        for (const id of sim.ids) sim.restart(id);
        const next = sim.stableLeader();
        expect(sim.call(next, { f: 'acquire', session: 's2', key: 'a' })).toEqual(bug ? ok(1) : ok(3));
        expect(sim.violations).toEqual([]);
      });
    }
  }

  it('bully election: the highest node leads, and a lock granted under it survives its death and return', () => {
    const { sim, leader } = holding({ election: 'bully' });
    expect(leader).toBe('n3');
    sim.crash('n3');
    expect(sim.stableLeader(5000, ['n2'])).toBe('n2');
    expect(sim.call('n2', { f: 'acquire', session: 's2', key: 'a' })).toMatchObject({ type: 'fail', error: 'held' });
    sim.restart('n3');
    sim.runUntil(() => sim.leader() === 'n3' && sim.core('n2').status().leader === 'n3', 3000);
    expect(sim.call('n3', { f: 'release', session: 's1', key: 'a', value: 1 })).toEqual(ok(1));
    expect(sim.call('n3', { f: 'acquire', session: 's2', key: 'a' })).toEqual(ok(2));
    expect(sim.violations).toEqual([]);
  });

  for (const bug of [false, true]) {
    it(`bully election ${bug ? 'with' : 'without'} bug bully-no-term: a higher node returning with a stale log ${bug ? 'takes over with it and grants a token again' : 'takes the majority\'s log and a fresh term'}`, () => {
      const { sim } = holding({ election: 'bully', ...(bug && { bugs: ['bully-no-term'] }) });
      const term = sim.core('n3').currentTerm;
      sim.crash('n3');
      expect(sim.stableLeader(5000, ['n2'])).toBe('n2');
      expect(sim.call('n2', { f: 'release', session: 's1', key: 'a', value: 1 })).toEqual(ok(1));
      expect(sim.call('n2', { f: 'acquire', session: 's2', key: 'a' })).toEqual(ok(2));
      sim.restart('n3');
      sim.runUntil(() => sim.leader() === 'n3' && sim.core('n2').status().leader === 'n3', 3000);
      expect(sim.core('n3').currentTerm === term).toBe(bug);
      expect(sim.call('n3', { f: 'acquire', session: 's1', key: 'b' })).toEqual(bug ? ok(2) : ok(3));
    });
  }

  // What partition-primary (bully-no-term's nemesis) does: the leader, the highest-ranked node, cut
  // off with a minority while its clients still send it requests, then healed.
  for (const bug of [false, true]) {
    it(`bully election ${bug ? 'with' : 'without'} bug bully-no-term: the leader cut off with a minority returns and ${bug ? 'grants a token the majority granted meanwhile' : 'keeps the majority\'s grants'}`, () => {
      const { sim, leader } = holding({ nodes: 5, election: 'bully', ...(bug && { bugs: ['bully-no-term'] }) });
      expect(leader).toBe('n5');
      sim.run(200);
      sim.partition([['n5', 'n1'], ['n2', 'n3', 'n4']]);
      // Until it finds no majority, the cut-off leader appends what its clients send: a tail nobody commits.
      for (let i = 0; i < 5; i++) sim.request('n5', { f: 'keepalive', session: 's2' });
      sim.run(50);
      expect(sim.stableLeader(5000, ['n4'])).toBe('n4');
      expect(sim.call('n4', { f: 'release', session: 's1', key: 'a', value: 1 })).toEqual(ok(1));
      expect(sim.call('n4', { f: 'acquire', session: 's2', key: 'a' })).toEqual(ok(2));
      sim.heal();
      sim.runUntil(() => sim.leader() === 'n5' && sim.core('n4').status().leader === 'n5', 5000);
      // Bug: n4's grant sits at an index of n5's tail, in the same term, so n5 never takes it.
      expect(sim.call('n5', { f: 'acquire', session: 's1', key: 'b' })).toEqual(bug ? ok(2) : ok(3));
      // ...and s2, granted `a` by the majority, is no holder for n5: s1 still is.
      expect(sim.call('n5', { f: 'release', session: 's2', key: 'a', value: 2 })).toEqual(bug ? { type: 'fail', error: 'not-holder' } : ok(2));
    });
  }

  for (const bug of [false, true]) {
    it(`${bug ? 'with' : 'without'} bug no-fencing, a new leader ${bug ? 'reuses' : 'does not reuse'} a granted token, and a stale write ${bug ? 'is' : 'is not'} accepted`, () => {
      const { sim, leader } = holding(bug ? { bugs: ['no-fencing'] } : {});
      expect(sim.call(leader, { f: 'release', session: 's1', key: 'a', value: 1 })).toEqual(ok(1));
      expect(sim.call(leader, { f: 'acquire', session: 's1', key: 'a' })).toEqual(ok(2));
      expect(sim.call(leader, { f: 'release', session: 's1', key: 'a', value: 2 })).toEqual(ok(2));
      sim.run(200);
      sim.crash(leader);
      const next = sim.stableLeader(5000, sim.ids.filter((id) => id !== leader));
      const r = sim.call(next, { f: 'acquire', session: 's2', key: 'a' });
      expect(r).toEqual(bug ? ok(1) : ok(3));
      expect(sim.call(next, { f: 'write', session: 's2', key: 'a', value: 5 })).toEqual(ok(5));
      expect(sim.call(next, { f: 'write', session: 's2', key: 'a', value: 4 })).toEqual(bug ? ok(4) : { type: 'fail', error: 'stale-token' });
    });
  }
});
