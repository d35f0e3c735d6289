import { describe, expect, it } from 'vitest';
import { ballotOwner, nextBallot } from '../../../clusters/multi-paxos-kv/ballot.js';
import { makeConfig } from '../../../clusters/multi-paxos-kv/config.js';
import { mergePromises } from '../../../clusters/multi-paxos-kv/leader.js';
import type { PaxosMessage } from '../../../clusters/multi-paxos-kv/messages.js';
import type { Persisted } from '../../../clusters/multi-paxos-kv/recovery.js';
import { Paxos } from '../../../clusters/multi-paxos-kv/paxos.js';
import { byHand } from '../sim.js';
import { PaxosSim } from './sim.js';

const w = (key: string, value: number) => ({ op: 'write' as const, key, value });

function lone(id = 'n1', nodes = ['n1', 'n2', 'n3'], persisted: Persisted = { records: [] }, bugs: string[] = []) {
  return byHand((env) => new Paxos(makeConfig(id, nodes, { bugs }), env, persisted));
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
