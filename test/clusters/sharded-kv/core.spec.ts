import { describe, expect, it } from 'vitest';
import { ANNOUNCE_MS } from '../../../clusters/sharded-kv/core.js';
import { READ_ATTEMPT_MS } from '../../../clusters/sharded-kv/router.js';
import { ShardedSim } from './sim.js';

const write = (key: string, value: number | string) => ({ f: 'write' as const, key, value });
const read = (key: string) => ({ f: 'read' as const, key });
const cas = (key: string, from: number | null, to: number) => ({ f: 'cas' as const, key, value: [from, to] as [number | null, number] });

describe('sharded-kv: a Raft group per shard', () => {
  it("elects a leader for every shard among that shard's replicas, one per term", () => {
    for (const seed of [1, 2, 3]) {
      const sim = new ShardedSim({ nodes: 5, shards: 4, seed });
      sim.allShardsLed(3000);
      sim.run(300);
      for (let s = 0; s < 4; s++) {
        const leader = sim.shardLeader(s)!;
        expect(sim.placement.replicas(s)).toContain(leader);
        for (const r of sim.placement.replicas(s)) expect(sim.group(r, s).status().leader).toBe(leader);
      }
      sim.run(2000);
      expect(sim.groupViolations()).toEqual([]);
      expect(sim.violations).toEqual([]);
    }
  });

  it('a shard that lost its majority stops while the others go on committing', () => {
    const sim = new ShardedSim({ nodes: 5, shards: 4, seed: 5 });
    sim.allShardsLed();
    // Two replicas of shard `down` to crash, leaving a majority of shard `up`'s replicas.
    let plan: { down: number; up: number; victims: string[] } | undefined;
    for (let down = 0; down < 4 && !plan; down++) {
      const [a, b] = sim.placement.replicas(down);
      for (let up = 0; up < 4 && !plan; up++) {
        if (sim.placement.replicas(up).filter((r) => r !== a && r !== b).length >= 2) plan = { down, up, victims: [a!, b!] };
      }
    }
    const { down, up, victims } = plan!;
    const entry = sim.ids.find((id) => !victims.includes(id))!;
    expect(sim.call(entry, write(sim.keyOn(down), 1))).toEqual({ type: 'ok', value: 1 });
    for (const v of victims) sim.crash(v);
    sim.run(1500);
    for (let i = 2; i <= 6; i++) expect(sim.call(entry, write(sim.keyOn(up), i))).toEqual({ type: 'ok', value: i });
    const stuck = sim.call(entry, write(sim.keyOn(down), 2), 4000);
    expect(stuck.type).not.toBe('ok');
    for (const v of victims) sim.restart(v);
    sim.allShardsLed();
    expect(sim.call(entry, read(sim.keyOn(up)))).toEqual({ type: 'ok', value: 6 });
    const after = sim.call(entry, read(sim.keyOn(down)));
    // The write that got no answer may have committed once the shard was whole again.
    expect([1, 2]).toContain((after as { value: unknown }).value);
    expect(sim.groupViolations()).toEqual([]);
  });

  it('keeps every replica of a shard equal after partitions and restarts', () => {
    const sim = new ShardedSim({ nodes: 5, shards: 3, seed: 9, dropRate: 0.02 });
    sim.allShardsLed();
    const keys = [0, 1, 2].map((s) => sim.keyOn(s));
    for (let round = 0; round < 6; round++) {
      const cut = sim.ids[round % 5]!;
      sim.partition([[cut], sim.ids.filter((id) => id !== cut)]);
      for (const [i, key] of keys.entries()) sim.request(sim.ids[(round + i + 1) % 5]!, write(key, round * 10 + i));
      sim.run(800);
      if (round === 3) {
        sim.crash('n2');
        sim.run(300);
        sim.restart('n2');
      }
      sim.heal();
      sim.run(800);
    }
    sim.allShardsLed();
    sim.run(1000);
    expect(sim.groupViolations()).toEqual([]);
    for (let s = 0; s < 3; s++) {
      const states = sim.placement.replicas(s).map((r) => sim.group(r, s).sm.get(keys[s]!));
      expect(new Set(states).size).toBe(1);
    }
  });
});

describe('sharded-kv: routing', () => {
  it('a node with no replica of a key relays the request to the shard leader and the answer back', () => {
    const sim = new ShardedSim({ nodes: 5, shards: 4, seed: 2 });
    sim.allShardsLed();
    const shard = [0, 1, 2, 3].find((s) => sim.outsider(s) !== undefined)!;
    const outsider = sim.outsider(shard)!;
    expect(sim.core(outsider).groups.has(shard)).toBe(false);
    const key = sim.keyOn(shard);
    expect(sim.call(outsider, write(key, 7))).toEqual({ type: 'ok', value: 7 });
    expect(sim.call(outsider, cas(key, 7, 8))).toEqual({ type: 'ok', value: 8 });
    expect(sim.call(outsider, cas(key, 7, 9))).toEqual({ type: 'fail', error: 'precondition-failed' });
    expect(sim.group(sim.shardLeader(shard)!, shard).sm.get(key)).toBe(8);
    for (const id of sim.ids) expect(sim.call(id, read(key))).toEqual({ type: 'ok', value: 8 });
  });

  it("a follower replica relays to its shard's leader; after a leader change, to the new one", () => {
    const sim = new ShardedSim({ nodes: 5, shards: 4, seed: 4 });
    sim.allShardsLed();
    const leader = sim.shardLeader(1)!;
    const follower = sim.placement.replicas(1).find((r) => r !== leader)!;
    const key = sim.keyOn(1);
    expect(sim.call(follower, write(key, 1))).toEqual({ type: 'ok', value: 1 });
    sim.crash(leader);
    sim.runUntil(() => sim.shardLeader(1) !== undefined, 3000);
    const fresh = sim.shardLeader(1)!;
    expect(fresh).not.toBe(leader);
    const entry = sim.ids.find((id) => id !== leader)!;
    expect(sim.call(entry, write(key, 2))).toEqual({ type: 'ok', value: 2 });
    expect(sim.call(entry, read(key))).toEqual({ type: 'ok', value: 2 });
  });

  it('a relayed write whose target is cut off is answered info at the deadline, never sent twice', () => {
    const sim = new ShardedSim({ nodes: 5, shards: 4, seed: 6 });
    sim.allShardsLed();
    const shard = [0, 1, 2, 3].find((s) => sim.outsider(s) !== undefined)!;
    const outsider = sim.outsider(shard)!;
    const key = sim.keyOn(shard);
    expect(sim.call(outsider, write(key, 1))).toMatchObject({ type: 'ok' });
    const leader = sim.shardLeader(shard)!;
    sim.block(leader, outsider);
    const rid = sim.request(outsider, cas(key, 1, 2));
    sim.runUntil(() => sim.replies.has(rid), 3000);
    expect(sim.replies.get(rid)).toEqual({ type: 'info', error: 'timeout' });
    // It ran once at the leader: a second run would have failed its precondition, not changed it back.
    expect(sim.group(leader, shard).sm.get(key)).toBe(2);
    sim.heal();
    // A read moves on from a silent target; this one answers.
    expect(sim.call(outsider, read(key))).toEqual({ type: 'ok', value: 2 });
  });

  it('a read from a node cut off from every replica of its shard fails at once, after asking each', () => {
    const sim = new ShardedSim({ nodes: 5, shards: 4, seed: 10 });
    sim.allShardsLed();
    sim.run(300);
    const shard = [0, 1, 2, 3].find((s) => sim.outsider(s) !== undefined)!;
    const outsider = sim.outsider(shard)!;
    sim.partition([[outsider], sim.ids.filter((id) => id !== outsider)]);
    const rid = sim.request(outsider, read(sim.keyOn(shard)));
    sim.runUntil(() => sim.replies.has(rid), 3000);
    expect(sim.replies.get(rid)).toEqual({ type: 'fail', error: 'not-leader' });
    expect(sim.repliedAt.get(rid)! - sim.requestedAt.get(rid)!).toBeLessThanOrEqual(3 * READ_ATTEMPT_MS + 20);
  });

  it('status names the leader of shard 0 and every hosted shard', () => {
    const sim = new ShardedSim({ nodes: 5, shards: 4, seed: 8 });
    sim.allShardsLed();
    sim.run(300);
    const leader0 = sim.shardLeader(0)!;
    for (const id of sim.placement.replicas(0)) expect(sim.core(id).status()).toMatchObject({ leader: leader0, shardCount: 4 });
    const out = sim.outsider(0);
    if (out) expect(sim.core(out).status()).toMatchObject({ leader: null, term: 0 });
    for (const id of sim.ids) expect(sim.core(id).status().shards.map((s) => s.shard)).toEqual(sim.placement.shardsOn(id));
  });
});

describe('sharded-kv: known bugs', () => {
  for (const bug of [false, true]) {
    it(`stale-read: ${bug ? 'with' : 'without'} the bug, a shard leader cut off alone ${bug ? 'serves' : 'does not serve'} stale reads`, () => {
      const sim = new ShardedSim({ nodes: 5, shards: 2, seed: 31, bugs: bug ? ['stale-read'] : [] });
      sim.allShardsLed();
      const old = sim.shardLeader(0)!;
      const key = sim.keyOn(0);
      expect(sim.call(old, write(key, 1))).toMatchObject({ type: 'ok' });
      const others = sim.ids.filter((id) => id !== old);
      sim.partition([[old], others]);
      sim.runUntil(() => sim.placement.replicas(0).some((r) => r !== old && sim.group(r, 0).isLeader), 3000);
      // Until the new leader announces itself, relays still go to the old one (and a write is never sent twice).
      sim.run(2 * ANNOUNCE_MS);
      expect(sim.call(others[0]!, write(key, 2), 4000)).toMatchObject({ type: 'ok' });
      const rid = sim.request(old, read(key));
      sim.run(1600);
      if (bug) expect(sim.replies.get(rid)).toEqual({ type: 'ok', value: 1 });
      else expect(sim.replies.get(rid)?.type).not.toBe('ok');
    });

    it(`local-read: ${bug ? 'with' : 'without'} the bug, a follower replica cut off from its leader ${bug ? 'serves' : 'does not serve'} stale reads`, () => {
      const sim = new ShardedSim({ nodes: 5, shards: 2, seed: 12, bugs: bug ? ['local-read'] : [] });
      sim.allShardsLed();
      const leader = sim.shardLeader(1)!;
      const follower = sim.placement.replicas(1).find((r) => r !== leader)!;
      const key = sim.keyOn(1);
      expect(sim.call(leader, write(key, 1))).toMatchObject({ type: 'ok' });
      sim.run(200);
      sim.partition([[follower], sim.ids.filter((id) => id !== follower)]);
      expect(sim.call(leader, write(key, 2))).toMatchObject({ type: 'ok' });
      const rid = sim.request(follower, read(key));
      sim.run(1600);
      if (bug) expect(sim.replies.get(rid)).toEqual({ type: 'ok', value: 1 });
      else expect(sim.replies.get(rid)?.type).not.toBe('ok');
    });
  }
});
