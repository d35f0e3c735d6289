/** Three real primary-backup node processes (../real-cluster.ts): elect, serve, kill -9 the primary, recover. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { primaryBackup } from '../../../clusters/primary-backup/index.js';
import { killLeaderScenario, RealCluster } from '../real-cluster.js';

describe('primary-backup with real processes', () => {
  let cluster: RealCluster;
  beforeAll(async () => {
    cluster = await RealCluster.start(primaryBackup, ['n1', 'n2', 'n3']);
  });
  afterAll(() => cluster.stop());

  it('elects a primary, serves read/write/cas, survives kill -9 of the primary, and catches up a restarted node', async () => {
    const { killed, writes } = await killLeaderScenario(primaryBackup, cluster);
    // The restarted node reloaded its epochs and its history from disk.
    const recoveries = [...(await cluster.log(killed)).matchAll(/INFO recovered accepted=(\d+) current=(\d+) last=(\d+)/g)];
    expect(recoveries).toHaveLength(2);
    expect(Number(recoveries[1]![1])).toBeGreaterThan(0);
    expect(Number(recoveries[1]![3])).toBeGreaterThan(writes);
  }, 90_000);
});
