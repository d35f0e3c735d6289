/**
 * Where sharded-kv puts things, computed alike by every node and by the harness from the node
 * names and the shard count alone (no coordination, no placement service):
 *
 * - a key's shard: consistent hashing with virtual nodes over the shard names (`s0`, `s1`, ...),
 *   so keys spread evenly over the shards;
 * - a shard's replicas: consistent hashing with virtual nodes over the node names, walking the
 *   ring clockwise from the shard's name to the first {@link REPLICAS} distinct nodes (all nodes
 *   when there are fewer), so every replica of a shard is on a different node and replicas
 *   spread over the nodes.
 *
 * The ring is the one txn-2pc and txn-3pc place their shards with (src/node/txn/ring.ts).
 */
import { Ring } from '../../src/node/txn/ring.js';

/** Replicas per shard (each shard is a Raft group of this many nodes, or of every node when fewer). */
export const REPLICAS = 3;

export const DEFAULT_SHARDS = 4;

const shardName = (shard: number): string => `s${shard}`;

/** Which shard holds each key: depends on the shard count only. */
export class KeySpace {
  private readonly ring: Ring;

  constructor(readonly shards: number) {
    if (!Number.isInteger(shards) || shards < 1) throw new Error(`the shard count must be a positive integer, not ${shards}`);
    this.ring = new Ring(Array.from({ length: shards }, (_, s) => shardName(s)));
  }

  shardOf(key: string): number {
    return Number(this.ring.owner(key).slice(1));
  }
}

export class Placement extends KeySpace {
  private readonly groups: string[][];

  constructor(
    readonly nodes: readonly string[],
    shards: number,
  ) {
    super(shards);
    const ring = new Ring(nodes);
    const size = Math.min(REPLICAS, nodes.length);
    this.groups = Array.from({ length: shards }, (_, s) => ring.successors(shardName(s), size));
  }

  /** The nodes holding `shard`'s replicas: its Raft group. */
  replicas(shard: number): readonly string[] {
    const group = this.groups[shard];
    if (group === undefined) throw new Error(`no shard ${shard} (there are ${this.shards})`);
    return group;
  }

  /** The shards with a replica on `node`. */
  shardsOn(node: string): number[] {
    return this.groups.flatMap((group, s) => (group.includes(node) ? [s] : []));
  }
}

/** The shard count a node or the harness reads from the system option `--shards`. */
export function shardCount(option: unknown): number {
  if (option === undefined) return DEFAULT_SHARDS;
  const n = Number(option);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error(`--shards must be an integer from 1 to 64, not ${String(option)}`);
  return n;
}
