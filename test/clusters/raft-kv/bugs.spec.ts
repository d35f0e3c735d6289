import { describe, expect, it } from 'vitest';
import { makeConfig } from '../../../clusters/raft-kv/config.js';
import { Raft, type RaftEnv } from '../../../clusters/raft-kv/raft.js';
import { Sim } from './sim.js';

const write = (key: string, value: number | string) => ({ f: 'write' as const, key, value });
const read = (key: string) => ({ f: 'read' as const, key });

describe('bug stale-read', () => {
  for (const bug of [false, true]) {
    it(`${bug ? 'with' : 'without'} the bug, a deposed leader in a minority ${bug ? 'serves' : 'does not serve'} stale reads`, () => {
      const sim = new Sim({ nodes: 3, seed: 31, bugs: bug ? ['stale-read'] : [] });
      const old = sim.stableLeader();
      expect(sim.call(old, write('x', 1))).toMatchObject({ type: 'ok' });
      const others = sim.ids.filter((id) => id !== old);
      sim.partition([[old], others]);
      const fresh = sim.stableLeader(3000, others);
      expect(sim.call(fresh, write('x', 2))).toMatchObject({ type: 'ok' });
      expect(sim.raft(old).status().role).toBe('leader');
      const rid = sim.request(old, read('x'));
      sim.run(1500);
      if (bug) expect(sim.replies.get(rid)).toEqual({ type: 'ok', value: 1 });
      else expect(sim.replies.get(rid)?.type).not.toBe('ok');
    });
  }
});

describe('bug commit-without-majority', () => {
  for (const nodes of [3, 5]) {
    it(`${nodes} nodes: a leader cut off with a minority acknowledges writes that are then lost`, () => {
      const run = (bugs: string[]) => {
        const sim = new Sim({ nodes, seed: 41, bugs });
        const old = sim.stableLeader();
        const minority = [old, ...sim.ids.filter((id) => id !== old).slice(0, Math.floor((nodes - 1) / 2) - 1)];
        const majority = sim.ids.filter((id) => !minority.includes(id));
        sim.partition([minority, majority]);
        const doomed = sim.request(old, write('x', 'minority'));
        sim.run(200);
        const fresh = sim.stableLeader(3000, majority);
        expect(sim.call(fresh, write('x', 'majority'))).toMatchObject({ type: 'ok' });
        sim.heal();
        sim.run(3000);
        return { sim, doomed: sim.replies.get(doomed) };
      };
      const good = run([]);
      expect(good.doomed?.type).not.toBe('ok');
      expect(good.sim.violations).toEqual([]);
      const bad = run(['commit-without-majority']);
      expect(bad.doomed).toEqual({ type: 'ok', value: 'minority' });
      // Acknowledged, yet gone: the cluster agrees on the majority's value.
      const leader = bad.sim.stableLeader();
      expect(bad.sim.call(leader, read('x'))).toEqual({ type: 'ok', value: 'majority' });
      expect(bad.sim.violations.join('\n')).toMatch(/committed as/);
    });
  }
});

describe('bug no-log-recovery', () => {
  for (const bug of [false, true]) {
    it(`${bug ? 'with' : 'without'} the bug, restarting a majority ${bug ? 'loses' : 'keeps'} acknowledged writes`, () => {
      const sim = new Sim({ nodes: 3, seed: 51, bugs: bug ? ['no-log-recovery'] : [] });
      const leader = sim.stableLeader();
      const [a, b] = sim.ids.filter((id) => id !== leader) as [string, string];
      // `b` falls behind, then the two nodes holding the write crash and come back.
      sim.partition([[leader, a], [b]]);
      expect(sim.call(leader, write('x', 'acked'))).toMatchObject({ type: 'ok' });
      sim.crash(leader);
      sim.crash(a);
      sim.restart(leader);
      sim.restart(a);
      expect(sim.raft(a).log.lastIndex).toBe(bug ? 0 : sim.disk(a).entries.length);
      sim.heal();
      const next = sim.stableLeader();
      expect(sim.call(next, read('x'))).toEqual({ type: 'ok', value: bug ? null : 'acked' });
    });

    it(`${bug ? 'with' : 'without'} the bug, killing one node at a time ${bug ? 'loses' : 'keeps'} acknowledged writes`, () => {
      const sim = new Sim({ nodes: 3, seed: 52, bugs: bug ? ['no-log-recovery'] : [] });
      const leader = sim.stableLeader();
      expect(sim.call(leader, write('x', 'acked'))).toMatchObject({ type: 'ok' });
      for (const follower of sim.ids.filter((id) => id !== leader)) {
        sim.crash(follower);
        sim.run(500);
        sim.restart(follower);
        sim.run(1000);
        // Under the same leader a node that forgot its log stays empty: the leader believes it
        // still holds what it acknowledged.
        expect(sim.raft(follower).log.lastIndex === 0).toBe(bug);
        expect(sim.leader()).toBe(leader);
      }
      sim.crash(leader);
      sim.run(500);
      sim.restart(leader);
      const next = sim.stableLeader();
      expect(sim.call(next, read('x'))).toEqual({ type: 'ok', value: bug ? null : 'acked' });
    });
  }
});

describe('bug no-fsync-vote', () => {
  const env: RaftEnv = { mono: () => 0, wall: () => 0, random: () => 0.5, log: () => {} };

  for (const bug of [false, true]) {
    it(`${bug ? 'with' : 'without'} the bug, a restarted voter ${bug ? 'votes again' : 'does not vote again'} in the same term`, () => {
      const cfg = makeConfig('n1', ['n1', 'n2', 'n3'], { bugs: bug ? ['no-fsync-vote'] : [] });
      const r = new Raft(cfg, env, { entries: [] });
      r.receive({ type: 'vote', from: 'n2', term: 5, lastIndex: 0, lastTerm: 0, sentAt: 0 });
      const rd = r.ready()!;
      expect(rd.hardState).toEqual(bug ? undefined : { term: 5, votedFor: 'n2' });
      const disk = rd.hardState ? { hardState: rd.hardState, entries: [] } : { entries: [] };
      const again = new Raft(cfg, env, disk);
      again.receive({ type: 'vote', from: 'n3', term: 5, lastIndex: 0, lastTerm: 0, sentAt: 0 });
      expect(again.ready()!.messages[0]!.msg).toMatchObject({ type: 'vote-reply', granted: bug });
    });

    it(`${bug ? 'with' : 'without'} the bug, a voter killed right after voting ${bug ? 'elects' : 'cannot elect'} a second leader in the term`, () => {
      const sim = new Sim({ nodes: 3, seed: 61, bugs: bug ? ['no-fsync-vote'] : [] });
      const [n1, n2, n3] = sim.ids as [string, string, string];
      sim.block(n1, n3);
      sim.block(n3, n1);
      sim.runUntil(() => sim.raft(n2).vote !== null, 3000);
      const first = sim.raft(n2).vote!;
      const rival = first === n1 ? n3 : n1;
      // n2 dies right after answering, before the winner's first append reaches it.
      sim.crash(n2);
      sim.block(first, n2);
      sim.block(n2, first);
      sim.restart(n2);
      sim.run(3000);
      const term = sim.raft(first).currentTerm;
      expect(sim.leadersByTerm.get(term)).toBe(first);
      if (bug) expect(sim.violations.join('\n')).toMatch(new RegExp(`two leaders in term ${term}`));
      else expect(sim.violations).toEqual([]);
      expect(sim.raft(rival).status().role).toBe(bug ? 'leader' : 'follower');
    });
  }
});
