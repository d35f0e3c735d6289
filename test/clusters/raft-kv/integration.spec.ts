/** Three real raft-kv node processes (../real-cluster.ts): elect, serve, kill -9 the leader, recover. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raftKv } from '../../../clusters/raft-kv/index.js';
import { killLeaderScenario, RealCluster } from '../real-cluster.js';

describe('raft-kv with real processes', () => {
  let cluster: RealCluster;
  beforeAll(async () => {
    cluster = await RealCluster.start(raftKv, ['n1', 'n2', 'n3']);
  });
  afterAll(() => cluster.stop());

  it('elects a leader, serves read/write/cas, survives kill -9 of the leader, and catches up a restarted node', async () => {
    const { killed, writes } = await killLeaderScenario(raftKv, cluster);
    // The restarted node replayed its log from disk before it caught up.
    const recoveries = [...(await cluster.log(killed)).matchAll(/INFO recovered term=(\d+) votedFor=\S+ lastIndex=(\d+)/g)];
    expect(recoveries).toHaveLength(2);
    expect(Number(recoveries[1]![2])).toBeGreaterThan(writes);
  }, 90_000);
});
