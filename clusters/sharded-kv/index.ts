/**
 * sharded-kv: a sharded key-value store on the shared Raft core. Keys are placed on shards by
 * consistent hashing with virtual nodes; each shard is a Raft group of 3 replicas (every node
 * when fewer) placed on distinct nodes the same way; a node process hosts its replicas of every
 * shard placed on it and answers requests for any key, serving the shards it leads and relaying
 * the rest to their leaders. Linearizable per key (read-index reads).
 */
import type { ClusterView } from '../../src/api/cluster.js';
import type { TestSpec } from '../../src/api/test-spec.js';
import { clusterStatuses, leaderHooks, nodeServes, pause } from '../../src/node/kv/probe.js';
import { leaderKvSystem } from '../../src/node/kv/system.js';
import { BUGS } from './bugs.js';
import type { ShardedStatus } from './core.js';
import { DEFAULT_SHARDS, KeySpace, REPLICAS, shardCount } from './placement.js';

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
async function ready(cluster: ClusterView, signal: AbortSignal): Promise<void> {
  const token = `ready-${process.pid}-${Date.now()}`;
  for (;;) {
    const statuses = await clusterStatuses(cluster, signal);
    const at = statuses.findIndex((s) => s !== undefined);
    const shards = (statuses[at] as ShardedStatus | undefined)?.shardCount;
    if (shards !== undefined && (await nodeServes(cluster, cluster.nodes[at]!, keyPerShard(shards), token, signal))) return;
    await pause(100, signal);
  }
}

const base = leaderKvSystem({
  name: 'sharded-kv',
  description:
    `Bundled sharded key-value store: keys on shards by consistent hashing with virtual nodes, each shard a ` +
    `Raft group of ${REPLICAS} replicas on distinct nodes (the shared Raft core), several groups per node ` +
    'process; any node serves any key, relaying to the shard leader; linearizable read/write/cas per key',
  bugs: BUGS,
  options: {
    shards: {
      describe: `how many shards the keys are spread over (1 to 64), each a Raft group of ${REPLICAS} replicas (all nodes when fewer)`,
      default: String(DEFAULT_SHARDS),
    },
  },
  program: new URL('./node.js', import.meta.url),
});

export const shardedKv = {
  ...base,
  /** A bad `--shards` is refused before anything starts. */
  check: (spec: TestSpec) => void shardCount(spec.clusterOptions['shards']),
  ready,
  /** The leader of shard 0. */
  primary: leaderHooks.primary,
};

export default shardedKv;
