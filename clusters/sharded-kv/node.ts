/**
 * The sharded-kv node process: `node node.js --plan '<NodePlan JSON>'`.
 *
 * The node core (./core.ts: a Raft group per shard placed on this node, and the router) on the
 * shared node runtime (src/node/kv/run-node.ts): peer messages over the shared transport, a
 * 10 ms tick, client requests on `plan.clientListen`, and one Raft disk per shard replica
 * (src/node/raft/persist.ts, in `<dataDir>/shard-<n>/`), every change in a batch made durable
 * before anything in it is sent.
 */
import { join } from 'node:path';
import { processEnv, runNode } from '../../src/node/kv/run-node.js';
import { RaftDisk } from '../../src/node/raft/persist.js';
import type { Persisted } from '../../src/node/raft/types.js';
import { ShardedCore, type ShardedReady, type ShardSave } from './core.js';
import { isShardMessage, type ShardMessage } from './messages.js';
import { Placement, shardCount } from './placement.js';

runNode<ShardMessage, ShardedReady>('sharded-kv', async (plan, clock, logger) => {
  const placement = new Placement(plan.nodes, shardCount(plan.options['shards']));
  const hosted = placement.shardsOn(plan.id);
  logger.info('starting', {
    pid: process.pid,
    nodes: plan.nodes.join(','),
    shards: placement.shards,
    replicas: hosted.map((s) => `s${s}:${placement.replicas(s).join('+')}`).join(' ') || 'none',
    bugs: plan.bugs.join(',') || 'none',
  });
  const disks = new Map<number, RaftDisk>();
  const persisted = new Map<number, Persisted>();
  for (const shard of hosted) {
    const opened = await RaftDisk.open(join(plan.dataDir, `shard-${shard}`), logger);
    disks.set(shard, opened.disk);
    persisted.set(shard, opened.persisted);
  }
  const core = new ShardedCore(plan.id, placement, processEnv(clock, logger), (s) => persisted.get(s)!, plan.bugs);
  return {
    core,
    isMessage: isShardMessage,
    save: (batch) => (batch.saves.length > 0 ? saveAll(disks, batch.saves) : undefined),
    statusFields: () => ({ shards: core.status().shards.map((s) => `s${s.shard}:${s.role}/${s.term}/${s.leader ?? '-'}/${s.commitIndex}`).join(' '), relaying: core.router.size }),
    close: async () => {
      await Promise.all([...disks.values()].map((d) => d.close()));
    },
  };
});

/** Each shard's changes in order, the shards side by side. */
async function saveAll(disks: ReadonlyMap<number, RaftDisk>, saves: readonly ShardSave[]): Promise<void> {
  const byShard = new Map<number, ShardSave[]>();
  for (const save of saves) byShard.set(save.shard, [...(byShard.get(save.shard) ?? []), save]);
  await Promise.all(
    [...byShard].map(async ([shard, list]) => {
      for (const save of list) await disks.get(shard)!.save(save);
    }),
  );
}
