import { describe, expect, it } from 'vitest';
import { makeConfig } from '../../../clusters/raft-kv/config.js';
import { Raft, type RaftEnv } from '../../../clusters/raft-kv/raft.js';
import { Sim } from './sim.js';

const write = (key: string, value: number | string) => ({ f: 'write' as const, key, value });
const read = (key: string) => ({ f: 'read' as const, key });
const cas = (key: string, from: number | null, to: number) => ({ f: 'cas' as const, key, value: [from, to] as [number | null, number] });

describe('raft core: elections', () => {
  it('elects one leader in a 5-node cluster well under 2 s, and keeps it', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const sim = new Sim({ nodes: 5, seed });
      const took = sim.runUntil(() => sim.leader() !== undefined, 2000);
      expect(took).toBeLessThan(1500);
      const leader = sim.leader()!;
      sim.run(3000);
      expect(sim.leader()).toBe(leader);
      for (const id of sim.ids) expect(sim.raft(id).status().leader).toBe(leader);
      expect(sim.violations).toEqual([]);
    }
  });

  it('elects a new leader after the old one is cut off, and the old one steps down', () => {
    const sim = new Sim({ nodes: 5, seed: 7 });
    const old = sim.stableLeader();
    const term = sim.raft(old).currentTerm;
    sim.partition([sim.ids.filter((id) => id !== old)]);
    const others = sim.ids.filter((id) => id !== old);
    const took = sim.runUntil(() => others.some((id) => sim.raft(id).status().role === 'leader'), 2000);
    expect(took).toBeLessThan(1000);
    sim.run(1500);
    expect(sim.raft(old).status().role).toBe('follower');
    const fresh = sim.leader()!;
    expect(sim.raft(fresh).currentTerm).toBeGreaterThan(term);
    sim.heal();
    sim.run(2000);
    expect(sim.violations).toEqual([]);
    const leaders = sim.ids.filter((id) => sim.raft(id).status().role === 'leader');
    expect(leaders).toHaveLength(1);
  });

  it('a vote request does not disturb a live leader (leader stickiness)', () => {
    const sim = new Sim({ nodes: 3, seed: 11 });
    const leader = sim.stableLeader();
    const follower = sim.ids.find((id) => id !== leader)!;
    const r = sim.raft(follower);
    const term = r.currentTerm;
    r.receive({ type: 'vote', from: sim.ids.find((id) => id !== leader && id !== follower)!, term: term + 5, lastIndex: 99, lastTerm: 99, sentAt: 0 });
    expect(r.currentTerm).toBe(term);
    expect(r.status().leader).toBe(leader);
  });
});

describe('raft core: replication', () => {
  it('commits writes on a majority and every node applies the same state', () => {
    const sim = new Sim({ nodes: 5, seed: 3 });
    const leader = sim.stableLeader();
    for (let i = 1; i <= 30; i++) expect(sim.call(leader, write(`k${i % 3}`, i))).toEqual({ type: 'ok', value: i });
    expect(sim.call(leader, read('k0'))).toEqual({ type: 'ok', value: 30 });
    expect(sim.call(leader, read('absent'))).toEqual({ type: 'ok', value: null });
    expect(sim.call(leader, cas('k0', 30, 31))).toEqual({ type: 'ok', value: 31 });
    expect(sim.call(leader, cas('k0', 30, 32))).toEqual({ type: 'fail', error: 'precondition-failed' });
    sim.run(500);
    const commit = sim.raft(leader).commitIndex;
    for (const id of sim.ids) {
      const r = sim.raft(id);
      expect(r.commitIndex).toBe(commit);
      expect(r.sm.get('k0')).toBe(31);
      expect(r.sm.get('k1')).toBe(28);
    }
    expect(sim.violations).toEqual([]);
  });

  it('followers answer not-leader with a hint', () => {
    const sim = new Sim({ nodes: 3, seed: 5 });
    const leader = sim.stableLeader();
    const follower = sim.ids.find((id) => id !== leader)!;
    expect(sim.call(follower, write('a', 1))).toEqual({ type: 'fail', error: 'not-leader', leader });
  });

  it('catches up a follower that missed many entries, using fast backtracking', () => {
    const sim = new Sim({ nodes: 3, seed: 9 });
    const leader = sim.stableLeader();
    const lagger = sim.ids.find((id) => id !== leader)!;
    sim.crash(lagger);
    for (let i = 0; i < 1500; i++) sim.request(leader, write('x', i));
    sim.run(3000);
    sim.restart(lagger);
    sim.runUntil(() => sim.raft(lagger).commitIndex === sim.raft(leader).commitIndex, 3000);
    expect(sim.raft(lagger).sm.get('x')).toBe(1499);
  });

  it('a partitioned old leader cannot commit; its write is never acknowledged and never applied', () => {
    const sim = new Sim({ nodes: 5, seed: 21 });
    const old = sim.stableLeader();
    const friend = sim.ids.find((id) => id !== old)!;
    const majority = sim.ids.filter((id) => id !== old && id !== friend);
    sim.partition([[old, friend], majority]);
    const lost = sim.request(old, write('x', 'minority'));
    const fresh = sim.stableLeader(3000, majority);
    expect(sim.call(fresh, write('x', 'majority'))).toEqual({ type: 'ok', value: 'majority' });
    sim.run(1500);
    expect(sim.replies.get(lost)?.type).toBe('info');
    sim.heal();
    sim.run(2000);
    for (const id of sim.ids) expect(sim.raft(id).sm.get('x')).toBe('majority');
    expect(sim.violations).toEqual([]);
  });

  it('restarts from persisted state with its term, vote and log', () => {
    const sim = new Sim({ nodes: 3, seed: 4 });
    const leader = sim.stableLeader();
    for (let i = 0; i < 10; i++) sim.call(leader, write('k', i));
    sim.run(200);
    const node = sim.ids.find((id) => id !== leader)!;
    const before = { term: sim.raft(node).currentTerm, vote: sim.raft(node).vote, last: sim.raft(node).log.lastIndex };
    expect(sim.disk(node).hardState).toEqual({ term: before.term, votedFor: before.vote });
    sim.crash(node);
    sim.restart(node);
    const r = sim.raft(node);
    expect({ term: r.currentTerm, vote: r.vote, last: r.log.lastIndex }).toEqual(before);
    expect(r.commitIndex).toBe(0);
    sim.run(300);
    expect(sim.raft(node).sm.get('k')).toBe(9);
    // Restarting the leader too: the data survives.
    sim.crash(leader);
    sim.restart(leader);
    const next = sim.stableLeader();
    expect(sim.call(next, read('k'))).toEqual({ type: 'ok', value: 9 });
  });

  it('persists the vote before answering: a restarted voter does not vote again in the term', () => {
    const env: RaftEnv = { mono: () => 0, wall: () => 0, random: () => 0.5, log: () => {} };
    const cfg = makeConfig('n1', ['n1', 'n2', 'n3']);
    const r = new Raft(cfg, env, { entries: [] });
    r.receive({ type: 'vote', from: 'n2', term: 5, lastIndex: 0, lastTerm: 0, sentAt: 0 });
    const rd = r.ready()!;
    expect(rd.hardState).toEqual({ term: 5, votedFor: 'n2' });
    expect(rd.messages).toEqual([{ to: 'n2', msg: { type: 'vote-reply', from: 'n1', term: 5, granted: true, sentAt: 0 } }]);
    const again = new Raft(cfg, env, { hardState: rd.hardState!, entries: [] });
    again.receive({ type: 'vote', from: 'n3', term: 5, lastIndex: 0, lastTerm: 0, sentAt: 0 });
    expect(again.ready()!.messages[0]!.msg).toMatchObject({ type: 'vote-reply', granted: false });
  });
});

describe('raft core: reads', () => {
  for (const readMode of ['read-index', 'log', 'lease']) {
    it(`read-mode ${readMode}: a cut-off old leader does not serve stale reads`, () => {
      const sim = new Sim({ nodes: 3, seed: 13, readMode });
      const old = sim.stableLeader();
      expect(sim.call(old, write('x', 1))).toEqual({ type: 'ok', value: 1 });
      expect(sim.call(old, read('x'))).toEqual({ type: 'ok', value: 1 });
      const others = sim.ids.filter((id) => id !== old);
      sim.partition([[old], others]);
      const fresh = sim.stableLeader(3000, others);
      expect(sim.call(fresh, write('x', 2))).toEqual({ type: 'ok', value: 2 });
      expect(sim.raft(old).status().role).toBe('leader');
      const rid = sim.request(old, read('x'));
      sim.run(1500);
      expect(sim.replies.get(rid)?.type).not.toBe('ok');
    });
  }

  it('read-mode lease: a leader whose clock jumps back serves stale reads', () => {
    const sim = new Sim({ nodes: 3, seed: 13, readMode: 'lease' });
    const old = sim.stableLeader();
    expect(sim.call(old, write('x', 1))).toEqual({ type: 'ok', value: 1 });
    sim.run(100);
    const others = sim.ids.filter((id) => id !== old);
    sim.partition([[old], others]);
    sim.skew(old, -10_000);
    const fresh = sim.stableLeader(3000, others);
    expect(sim.call(fresh, write('x', 2))).toEqual({ type: 'ok', value: 2 });
    expect(sim.raft(old).status().role).toBe('leader');
    expect(sim.call(old, read('x'))).toEqual({ type: 'ok', value: 1 });
  });

  it('read-mode lease: local reads need no heartbeat round while the lease holds', () => {
    const sim = new Sim({ nodes: 3, seed: 17, readMode: 'lease' });
    const leader = sim.stableLeader();
    sim.call(leader, write('y', 'v'));
    sim.run(100);
    const rid = sim.request(leader, read('y'));
    expect(sim.replies.get(rid)).toEqual({ type: 'ok', value: 'v' });
  });
});
