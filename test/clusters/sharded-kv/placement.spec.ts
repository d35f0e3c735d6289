import { describe, expect, it } from 'vitest';
import { Placement, REPLICAS, shardCount } from '../../../clusters/sharded-kv/placement.js';
import { keyPerShard } from '../../../clusters/sharded-kv/probe.js';
import { Ring } from '../../../src/node/txn/ring.js';

const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `n${i + 1}`);

describe('sharded-kv placement', () => {
  it('spreads keys over every shard, roughly evenly', () => {
    for (const shards of [2, 4, 7]) {
      const p = new Placement(names(5), shards);
      const counts = new Array<number>(shards).fill(0);
      for (let i = 0; i < 7000; i++) counts[p.shardOf(`key-${i}`)]!++;
      for (const c of counts) {
        expect(c).toBeGreaterThan((7000 / shards) * 0.6);
        expect(c).toBeLessThan((7000 / shards) * 1.4);
      }
    }
  });

  it('places each shard on 3 distinct nodes, or on every node when there are fewer', () => {
    for (const n of [1, 2, 3, 5, 9]) {
      const p = new Placement(names(n), 8);
      for (let s = 0; s < 8; s++) {
        const replicas = p.replicas(s);
        expect(replicas).toHaveLength(Math.min(REPLICAS, n));
        expect(new Set(replicas).size).toBe(replicas.length);
        for (const r of replicas) expect(names(n)).toContain(r);
      }
    }
  });

  it('spreads replicas over the nodes and agrees with shardsOn', () => {
    const p = new Placement(names(5), 16);
    const load = new Map<string, number>();
    for (let s = 0; s < 16; s++) for (const r of p.replicas(s)) load.set(r, (load.get(r) ?? 0) + 1);
    expect([...load.keys()].sort()).toEqual(names(5));
    for (const node of names(5)) expect(p.shardsOn(node)).toHaveLength(load.get(node)!);
  });

  it('is computed alike from the names alone: every node, and the harness, agree', () => {
    const a = new Placement(names(5), 4);
    const b = new Placement([...names(5)].reverse(), 4);
    for (let s = 0; s < 4; s++) expect(b.replicas(s)).toEqual(a.replicas(s));
    for (let i = 0; i < 100; i++) expect(b.shardOf(`k${i}`)).toBe(a.shardOf(`k${i}`));
  });

  it('finds a ready-probe key on every shard', () => {
    const keys = keyPerShard(6);
    const p = new Placement(names(3), 6);
    expect(keys.map((k) => p.shardOf(k))).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('reads --shards, refusing what is not a count from 1 to 64', () => {
    expect(shardCount(undefined)).toBe(4);
    expect(shardCount('9')).toBe(9);
    for (const bad of ['0', '65', 'x', '2.5']) expect(() => shardCount(bad)).toThrow(/--shards must be an integer from 1 to 64/);
  });
});

describe('Ring.successors', () => {
  it('starts with the owner and lists distinct nodes, at most as many as there are', () => {
    const ring = new Ring(names(4));
    for (let i = 0; i < 50; i++) {
      const s = ring.successors(`k${i}`, 3);
      expect(s[0]).toBe(ring.owner(`k${i}`));
      expect(new Set(s).size).toBe(3);
    }
    expect(ring.successors('k', 9).sort()).toEqual(names(4));
  });
});
