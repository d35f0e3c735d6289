/** Three real multi-paxos-kv node processes (../real-cluster.ts): elect, serve, kill -9 the leader, recover. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multiPaxosKv } from '../../../clusters/multi-paxos-kv/index.js';
import { killLeaderScenario, RealCluster } from '../real-cluster.js';

describe('multi-paxos-kv with real processes', () => {
  let cluster: RealCluster;
  beforeAll(async () => {
    cluster = await RealCluster.start(multiPaxosKv, ['n1', 'n2', 'n3']);
  });
  afterAll(() => cluster.stop());

  it('elects a leader, serves read/write/cas, survives kill -9 of the leader, and catches up a restarted node', async () => {
    const { killed, writes } = await killLeaderScenario(multiPaxosKv, cluster);
    // The restarted node reloaded its promise and its chosen slots from disk.
    const recoveries = [...(await cluster.log(killed)).matchAll(/INFO recovered promised=(\d+) firstUnchosen=(\d+)/g)];
    expect(recoveries).toHaveLength(2);
    expect(Number(recoveries[1]![1])).toBeGreaterThan(0);
    expect(Number(recoveries[1]![2])).toBeGreaterThan(writes);
  }, 90_000);
});
