import { describe, expect, it } from 'vitest';
import { ballotOwner, nextBallot } from '../../../clusters/multi-paxos-kv/ballot.js';
import { makeConfig } from '../../../clusters/multi-paxos-kv/config.js';
import { mergePromises } from '../../../clusters/multi-paxos-kv/leader.js';
import type { PaxosMessage } from '../../../clusters/multi-paxos-kv/messages.js';
import { Paxos } from '../../../clusters/multi-paxos-kv/paxos.js';
import type { CoreEnv } from '../../../src/node/kv/run-node.js';
import { PaxosSim } from './sim.js';

const write = (key: string, value: number | string) => ({ f: 'write' as const, key, value });
const read = (key: string) => ({ f: 'read' as const, key });
const cas = (key: string, from: number | null, to: number) => ({ f: 'cas' as const, key, value: [from, to] as [number | null, number] });
const w = (key: string, value: number) => ({ op: 'write' as const, key, value });

/** One core driven by hand: messages in, its batches out. */
function lone(id = 'n1', nodes = ['n1', 'n2', 'n3'], persisted: { promised?: number; records: unknown[] } = { records: [] }, bugs: string[] = []) {
  let now = 0;
  const env: CoreEnv = { mono: () => now, wall: () => now, random: () => 0.5, log: () => {} };
  const core = new Paxos(makeConfig(id, nodes, { bugs }), env, persisted);
  const drain = () => {
    const out: { to: string; msg: PaxosMessage }[] = [];
    const batches = [];
    for (let rd = core.ready(); rd; rd = core.ready()) {
      batches.push(rd);
      out.push(...rd.messages);
    }
    return { out, batches };
  };
  return { core, drain, advance: (ms: number) => (now += ms) };
}

describe('ballots', () => {
  it('every node draws from its own ballots, each above what it has seen', () => {
    const seen = new Set<number>();
    for (const above of [0, 1, 4, 5, 6, 17, 100]) {
      for (let i = 0; i < 5; i++) {
        const b = nextBallot(above, i, 5);
        expect(b).toBeGreaterThan(above);
        expect(b - above).toBeLessThanOrEqual(5);
        expect(ballotOwner(b, ['a', 'b', 'c', 'd', 'e'])).toBe(['a', 'b', 'c', 'd', 'e'][i]);
        seen.add(b);
      }
    }
    expect(nextBallot(0, 0, 5)).toBe(5);
  });
});

describe('phase 1: promises and slot recovery', () => {
  it('a value known chosen wins; otherwise the value accepted at the highest ballot', () => {
    const merged = mergePromises([
      [{ s: 1, b: 3, c: w('x', 1) }, { s: 2, b: 9, c: w('y', 9) }],
      [{ s: 1, b: 7, c: w('x', 7) }, { s: 2, b: 4, c: w('y', 4), k: true }],
      [{ s: 4, b: 2, c: w('z', 2) }],
    ]);
    expect(merged.get(1)).toEqual({ c: w('x', 7), chosen: false });
    expect(merged.get(2)).toEqual({ c: w('y', 4), chosen: true });
    expect(merged.get(4)).toEqual({ c: w('z', 2), chosen: false });
    expect(merged.has(3)).toBe(false);
  });

  it('a new leader proposes the recovered values again under its ballot and fills holes with no-ops', () => {
    const { core, drain, advance } = lone();
    advance(1000);
    core.tick();
    const probe = drain().out.find((m) => m.msg.type === 'prepare')!.msg;
    expect(probe).toMatchObject({ type: 'prepare', probe: true });
    core.receive({ type: 'promise', from: 'n2', ballot: probe.ballot, ok: true, promised: 0, probe: true });
    const prepare = drain().out.find((m) => m.msg.type === 'prepare')!.msg as Extract<PaxosMessage, { type: 'prepare' }>;
    expect(prepare.probe).toBeUndefined();
    expect(prepare.start).toBe(1);
    core.receive({
      type: 'promise',
      from: 'n2',
      ballot: prepare.ballot,
      ok: true,
      promised: prepare.ballot,
      entries: [
        { s: 1, b: 1, c: w('a', 1) },
        { s: 3, b: 2, c: w('c', 3) },
      ],
    });
    expect(core.role).toBe('leader');
    const accepts = drain().out.filter((m) => m.msg.type === 'accept' && m.to === 'n2').flatMap((m) => (m.msg as { entries: unknown[] }).entries);
    expect(accepts).toEqual([
      { s: 1, c: w('a', 1) },
      { s: 2, c: { op: 'noop' } },
      { s: 3, c: w('c', 3) },
    ]);
    expect(core.log.get(2)).toEqual({ b: prepare.ballot, c: { op: 'noop' }, chosen: false });
    // Reads wait until the recovered slots are chosen.
    expect(core.recovered()).toBe(false);
    core.receive({ type: 'accepted', from: 'n2', ballot: prepare.ballot, ok: true, promised: prepare.ballot, slots: [1, 2, 3], seq: 1, firstUnchosen: 1 });
    expect(core.recovered()).toBe(true);
    expect(core.sm.get('c')).toBe(3);
  });

  it('an acceptor promises only above its promise, keeps the promise across restarts, and refuses lower accepts', () => {
    const a = lone('n2');
    a.core.receive({ type: 'prepare', from: 'n1', ballot: 6, start: 1 });
    const first = a.drain();
    expect(first.batches[0]!.promised).toBe(6);
    expect(first.out[0]!.msg).toMatchObject({ type: 'promise', ok: true, promised: 6 });
    a.core.receive({ type: 'prepare', from: 'n3', ballot: 5, start: 1 });
    expect(a.drain().out[0]!.msg).toMatchObject({ type: 'promise', ok: false, promised: 6 });
    const again = lone('n2', ['n1', 'n2', 'n3'], { promised: 6, records: [] });
    again.core.receive({ type: 'accept', from: 'n3', ballot: 5, entries: [{ s: 1, c: w('x', 1) }], commit: 1, seq: 1 });
    const { out, batches } = again.drain();
    expect(out[0]!.msg).toMatchObject({ type: 'accepted', ok: false, promised: 6, slots: [] });
    expect(batches.some((b) => b.records)).toBe(false);
    again.core.receive({ type: 'accept', from: 'n1', ballot: 6, entries: [{ s: 1, c: w('x', 1) }], commit: 1, seq: 1 });
    const ok = again.drain();
    expect(ok.batches[0]!.records).toEqual([{ s: 1, b: 6, c: w('x', 1) }]);
    expect(ok.out[0]!.msg).toMatchObject({ type: 'accepted', ok: true, slots: [1] });
  });

  it('a leader refused by an acceptor that promised a higher ballot steps down', () => {
    const sim = new PaxosSim({ nodes: 3, seed: 4 });
    const leader = sim.stableLeader();
    const ballot = sim.paxos(leader).promised;
    const follower = sim.ids.find((id) => id !== leader)!;
    sim.paxos(leader).receive({ type: 'accepted', from: follower, ballot, ok: false, promised: ballot + 3, slots: [], seq: 1, firstUnchosen: 1 });
    expect(sim.paxos(leader).role).toBe('follower');
  });
});

describe('multi-paxos core: elections', () => {
  it('elects one leader in a 5-node cluster well under 2 s, and keeps it', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const sim = new PaxosSim({ nodes: 5, seed });
      expect(sim.runUntil(() => sim.leader() !== undefined, 2000)).toBeLessThan(1500);
      const leader = sim.leader()!;
      sim.run(3000);
      expect(sim.leader()).toBe(leader);
      for (const id of sim.ids) expect(sim.paxos(id).status().leader).toBe(leader);
      expect(sim.violations).toEqual([]);
    }
  });

  it('a node cut off does not raise its ballot (probes), so it does not depose the leader on return', () => {
    const sim = new PaxosSim({ nodes: 5, seed: 8 });
    const leader = sim.stableLeader();
    const lonely = sim.ids.find((id) => id !== leader)!;
    const ballot = sim.paxos(leader).promised;
    sim.partition([sim.ids.filter((id) => id !== lonely)]);
    sim.run(3000);
    expect(sim.paxos(lonely).promised).toBe(ballot);
    sim.heal();
    sim.run(1000);
    expect(sim.leader()).toBe(leader);
    expect(sim.paxos(leader).promised).toBe(ballot);
  });

  it('elects a new leader after the old one is cut off; the old one steps down and follows after the heal', () => {
    const sim = new PaxosSim({ nodes: 5, seed: 7 });
    const old = sim.stableLeader();
    const others = sim.ids.filter((id) => id !== old);
    sim.partition([others]);
    sim.runUntil(() => others.some((id) => sim.paxos(id).role === 'leader'), 2000);
    sim.run(1500);
    expect(sim.paxos(old).role).toBe('follower');
    sim.heal();
    sim.run(1000);
    const leaders = sim.ids.filter((id) => sim.paxos(id).role === 'leader');
    expect(leaders).toHaveLength(1);
    expect(sim.paxos(old).status().leader).toBe(leaders[0]);
    expect(sim.violations).toEqual([]);
  });
});

describe('multi-paxos core: replication, reads and recovery', () => {
  for (const readMode of ['read-index', 'log']) {
    it(`serves writes, cas and ${readMode} reads, and every node applies the same state`, () => {
      const sim = new PaxosSim({ nodes: 5, seed: 3, readMode });
      const leader = sim.stableLeader();
      for (let i = 1; i <= 20; i++) expect(sim.call(leader, write(`k${i % 3}`, i))).toEqual({ type: 'ok', value: i });
      expect(sim.call(leader, read('k2'))).toEqual({ type: 'ok', value: 20 });
      expect(sim.call(leader, cas('k2', 20, 21))).toEqual({ type: 'ok', value: 21 });
      expect(sim.call(leader, cas('k2', 20, 22))).toEqual({ type: 'fail', error: 'precondition-failed' });
      expect(sim.call(leader, read('absent'))).toEqual({ type: 'ok', value: null });
      const follower = sim.ids.find((id) => id !== leader)!;
      expect(sim.call(follower, read('k2'))).toEqual({ type: 'fail', error: 'not-leader', leader });
      sim.run(500);
      for (const id of sim.ids) expect(sim.paxos(id).sm.get('k2')).toBe(21);
      expect(sim.violations).toEqual([]);
    });
  }

  it('a leader cut off in a minority serves no reads, stale or otherwise', () => {
    const sim = new PaxosSim({ nodes: 5, seed: 12 });
    const old = sim.stableLeader();
    expect(sim.call(old, write('x', 1))).toMatchObject({ type: 'ok' });
    const minority = [old, sim.ids.find((id) => id !== old)!];
    const majority = sim.ids.filter((id) => !minority.includes(id));
    sim.partition([minority, majority]);
    const fresh = sim.stableLeader(3000, majority);
    expect(sim.call(fresh, write('x', 2))).toMatchObject({ type: 'ok' });
    const rid = sim.request(old, read('x'));
    sim.run(2000);
    expect(sim.replies.get(rid)?.type).not.toBe('ok');
  });

  it('a value a majority accepted survives the crash of a leader that never learned it was chosen', () => {
    const sim = new PaxosSim({ nodes: 5, seed: 21 });
    const leader = sim.stableLeader();
    expect(sim.call(leader, write('x', 1))).toMatchObject({ type: 'ok' });
    // Followers still receive the leader's accepts, but their answers never reach it.
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

  it('keeps promises and accepted values across a restart of every node', () => {
    const sim = new PaxosSim({ nodes: 3, seed: 5 });
    const leader = sim.stableLeader();
    for (let i = 1; i <= 10; i++) expect(sim.call(leader, write('k', i))).toMatchObject({ type: 'ok' });
    const promised = sim.ids.map((id) => sim.paxos(id).promised);
    for (const id of sim.ids) sim.crash(id);
    for (const id of sim.ids) sim.restart(id);
    expect(sim.ids.map((id) => sim.paxos(id).promised)).toEqual(promised);
    const next = sim.stableLeader();
    expect(sim.call(next, read('k'))).toEqual({ type: 'ok', value: 10 });
    expect(sim.violations).toEqual([]);
  });

  it('a node that missed slots learns the chosen values from the leader', () => {
    const sim = new PaxosSim({ nodes: 3, seed: 9 });
    const leader = sim.stableLeader();
    const late = sim.ids.find((id) => id !== leader)!;
    sim.crash(late);
    for (let i = 1; i <= 700; i++) sim.request(leader, write(`k${i % 7}`, i));
    sim.run(2000);
    sim.restart(late);
    sim.run(2000);
    expect(sim.paxos(late).log.firstUnchosen).toBe(sim.paxos(leader).log.firstUnchosen);
    expect(sim.paxos(late).sm.get('k0')).toBe(sim.paxos(leader).sm.get('k0'));
  });
});
