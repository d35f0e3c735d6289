/**
 * Three real sharded-kv node processes (../real-cluster.ts), every shard on all three: elect a
 * leader per shard, serve read/write/cas relayed to each key's shard leader, survive kill -9 of
 * shard 0's leader (the primary), and recover it from its per-shard disks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shardedKv } from '../../../clusters/sharded-kv/index.js';
import { killLeaderScenario, RealCluster } from '../real-cluster.js';

describe('sharded-kv with real processes', () => {
  let cluster: RealCluster;
  beforeAll(async () => {
    cluster = await RealCluster.start(shardedKv, ['n1', 'n2', 'n3']);
  });
  afterAll(() => cluster.stop());

  it('elects a leader per shard, serves read/write/cas, survives kill -9 of the primary, and catches up a restarted node', async () => {
    const { killed } = await killLeaderScenario(shardedKv, cluster);
    // The restarted node opened one Raft disk per shard (4 by default) and replayed each.
    const recoveries = [...(await cluster.log(killed)).matchAll(/INFO recovered .*shard=(\d+)/g)].map((m) => Number(m[1]));
    expect(recoveries.sort()).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
  }, 90_000);
});
