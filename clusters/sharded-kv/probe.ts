/**
 * When a sharded-kv cluster is ready, over the shared status probe (src/node/kv/probe.ts): once
 * every shard takes a write and reads it back. (Its primary is the shared probe's: the leader of
 * shard 0, which every node's status reports.)
 */
import type { ClusterView } from '../../src/api/cluster.js';
import { clusterStatuses, nodeServes, pause } from '../../src/node/kv/probe.js';
import type { ShardedStatus } from './core.js';
import { KeySpace } from './placement.js';

const READY_KEY = '__faultline_ready__';

/** One key on each shard, for the ready probe. */
export function keyPerShard(shards: number): string[] {
  const space = new KeySpace(shards);
  const keys = new Map<number, string>();
  for (let i = 0; keys.size < shards; i++) {
    const key = `${READY_KEY}${i}`;
    const shard = space.shardOf(key);
    if (!keys.has(shard)) keys.set(shard, key);
  }
  return [...keys].sort(([a], [b]) => a - b).map(([, key]) => key);
}

/** Ready once a node that answers takes a write on every shard (through its leader) and reads it back. */
export async function ready(cluster: ClusterView, signal: AbortSignal): Promise<void> {
  const token = `ready-${process.pid}-${Date.now()}`;
  for (;;) {
    const statuses = await clusterStatuses(cluster, signal);
    const at = statuses.findIndex((s) => s !== undefined);
    const shards = (statuses[at] as ShardedStatus | undefined)?.shardCount;
    if (shards !== undefined && (await nodeServes(cluster, cluster.nodes[at]!, keyPerShard(shards), token, signal))) return;
    await pause(100, signal);
  }
}
