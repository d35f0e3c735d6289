/**
 * sharded-kv: a sharded key-value store on the shared Raft core. Keys are placed on shards by
 * consistent hashing with virtual nodes; each shard is a Raft group of 3 replicas (every node
 * when fewer) placed on distinct nodes the same way; a node process hosts its replicas of every
 * shard placed on it and answers requests for any key, serving the shards it leads and relaying
 * the rest to their leaders. Linearizable per key (read-index reads). Its primary is the leader
 * of shard 0.
 */
import type { TestSpec } from '../../src/api/test-spec.js';
import { leaderKvSystem } from '../../src/node/kv/system.js';
import { BUGS } from './bugs.js';
import { DEFAULT_SHARDS, REPLICAS, shardCount } from './placement.js';
import { ready } from './probe.js';
import { leaderHooks } from '../../src/node/kv/probe.js';

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
  /** The leader of shard 0 (every node's status reports its replica of shard 0). */
  primary: leaderHooks.primary,
};

export default shardedKv;
