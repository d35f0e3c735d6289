import { describe, expect, it } from 'vitest';
import { Sim } from './sim.js';

const write = (key: string, value: number | string) => ({ f: 'write' as const, key, value });
const read = (key: string) => ({ f: 'read' as const, key });

const refusals = (sim: Sim, id: string): string[] => sim.events(id).filter((e) => e.includes('beyond the max offset'));

describe('clock-offset guard (read-mode lease)', () => {
  it('cuts off a leader whose clock went back; it serves stale lease reads after a new leader commits a write', () => {
    const sim = new Sim({ nodes: 3, seed: 13, readMode: 'lease' });
    const old = sim.stableLeader();
    expect(sim.call(old, write('x', 1))).toEqual({ type: 'ok', value: 1 });
    sim.run(100);
    sim.skew(old, -10_000);
    const others = sim.ids.filter((id) => id !== old);
    const fresh = sim.stableLeader(3000, others);
    expect(sim.call(fresh, write('x', 2))).toEqual({ type: 'ok', value: 2 });
    // No partition: the guard alone cut the old leader off, and its lease (and check-quorum) on
    // its own clock, which went back, tell it that it still leads.
    expect(sim.raft(old).status().role).toBe('leader');
    expect(sim.call(old, read('x'))).toEqual({ type: 'ok', value: 1 });
    for (const id of others) expect(refusals(sim, id)).toEqual([expect.stringContaining(`"peer":"${old}"`)]);
    expect(refusals(sim, old)).toContainEqual(expect.stringContaining(`"peer":"${fresh}"`));
    // Clocks back in line: the old leader hears the new term, steps down and catches up.
    sim.skew(old, 0);
    sim.run(1500);
    expect(sim.raft(old).status()).toMatchObject({ role: 'follower', leader: fresh });
    expect(sim.raft(old).sm.get('x')).toBe(2);
    expect(sim.events(old).some((e) => e.includes('back within the max offset'))).toBe(true);
    expect(sim.violations).toEqual([]);
  });

  it('a leader whose clock went forward is cut off too, but its lease is over at once: no stale reads', () => {
    const sim = new Sim({ nodes: 3, seed: 13, readMode: 'lease' });
    const old = sim.stableLeader();
    expect(sim.call(old, write('x', 1))).toEqual({ type: 'ok', value: 1 });
    sim.skew(old, 10_000);
    const fresh = sim.stableLeader(3000, sim.ids.filter((id) => id !== old));
    expect(sim.call(fresh, write('x', 2))).toEqual({ type: 'ok', value: 2 });
    const rid = sim.request(old, read('x'));
    sim.run(1500);
    expect(sim.replies.get(rid)?.type).not.toBe('ok');
    expect(sim.raft(old).status().role).toBe('follower');
  });

  it('tolerates offsets within the max, and cuts off a skewed follower without disturbing the leader', () => {
    const sim = new Sim({ nodes: 5, seed: 21, readMode: 'lease' });
    const leader = sim.stableLeader();
    const [near, far] = sim.ids.filter((id) => id !== leader) as [string, string];
    sim.skew(near, -300);
    sim.skew(far, 60_000);
    expect(sim.call(leader, write('y', 'a'))).toEqual({ type: 'ok', value: 'a' });
    sim.run(2000);
    expect(sim.leader()).toBe(leader);
    expect(sim.raft(leader).currentTerm).toBe(sim.raft(near).currentTerm);
    expect(sim.raft(near).sm.get('y')).toBe('a');
    expect(sim.raft(far).sm.get('y')).toBeNull();
    expect(refusals(sim, leader)).toEqual([expect.stringContaining(`"peer":"${far}"`)]);
    sim.skew(far, 0);
    sim.run(1000);
    expect(sim.raft(far).sm.get('y')).toBe('a');
    expect(sim.violations).toEqual([]);
  });

  it('is off in the other read modes: a skewed leader keeps leading and reads stay fresh', () => {
    const sim = new Sim({ nodes: 3, seed: 13 });
    const leader = sim.stableLeader();
    sim.skew(leader, -10_000);
    expect(sim.call(leader, write('x', 1))).toEqual({ type: 'ok', value: 1 });
    sim.run(2000);
    expect(sim.leader()).toBe(leader);
    expect(sim.call(leader, read('x'))).toEqual({ type: 'ok', value: 1 });
    for (const id of sim.ids) expect(refusals(sim, id)).toEqual([]);
  });
});
