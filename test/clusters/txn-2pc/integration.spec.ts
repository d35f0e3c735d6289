/**
 * Three real txn-2pc node processes (../real-cluster.ts): commit transactions across every shard,
 * kill -9 a coordinator (which is also a participant), see transactions that need its shard
 * refused with a definite failure while it is down, and find every committed append again once it
 * has recovered from its log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { txn2pc } from '../../../clusters/txn-2pc/index.js';
import { Ring } from '../../../src/node/txn/ring.js';
import { nodeStatus } from '../../../src/node/kv/probe.js';
import { eventually, RealCluster } from '../real-cluster.js';

const NODES = ['n1', 'n2', 'n3'];

describe('txn-2pc with real processes', () => {
  let cluster: RealCluster;
  beforeAll(async () => {
    cluster = await RealCluster.start(txn2pc, NODES);
  });
  afterAll(() => cluster.stop());

  it('commits across shards, refuses while a shard is down, and recovers a kill -9ed coordinator from its log', async () => {
    const signal = AbortSignal.timeout(80_000);
    await txn2pc.ready!(cluster.view, signal);
    const ring = new Ring(NODES);
    const key = (node: string): number => Array.from({ length: 1000 }, (_, k) => k).find((k) => ring.owner(k) === node)!;
    const [x, y, z] = NODES.map(key) as [number, number, number];
    const c1 = await cluster.open('n1', 'list-append');
    for (let v = 1; v <= 5; v++) {
      expect(await c1.invoke({ f: 'txn', value: [['append', x, v], ['append', y, v], ['append', z, v]] }, signal)).toMatchObject({ type: 'ok' });
    }
    expect(await c1.invoke({ f: 'txn', value: [['r', x, null], ['append', y, 6], ['r', y, null]] }, signal)).toEqual({
      type: 'ok',
      value: [['r', x, [1, 2, 3, 4, 5]], ['append', y, 6], ['r', y, [1, 2, 3, 4, 5, 6]]],
    });

    await cluster.kill('n1');
    const c2 = await cluster.open('n2', 'list-append');
    const refused = await c2.invoke({ f: 'txn', value: [['append', x, 7], ['append', y, 7]] }, signal);
    expect(refused).toMatchObject({ type: 'fail' });
    expect(await c2.invoke({ f: 'txn', value: [['r', y, null], ['r', z, null]] }, signal)).toEqual({
      type: 'ok',
      value: [['r', y, [1, 2, 3, 4, 5, 6]], ['r', z, [1, 2, 3, 4, 5]]],
    });

    cluster.launch('n1');
    await eventually('n1 back', async () => ((await nodeStatus(cluster.view.clientAddresses['n1']!, signal)) as unknown as { incarnation: number } | undefined)?.incarnation === 2 || undefined);
    const c3 = await cluster.open('n1', 'list-append');
    const after = await eventually('the shards to be free again', async () => {
      const res = await c3.invoke({ f: 'txn', value: [['r', x, null], ['r', y, null], ['r', z, null]] }, signal);
      return res.type === 'ok' ? res : undefined;
    });
    expect(after.value).toEqual([['r', x, [1, 2, 3, 4, 5]], ['r', y, [1, 2, 3, 4, 5, 6]], ['r', z, [1, 2, 3, 4, 5]]]);
    expect(await c3.invoke({ f: 'txn', value: [['append', x, 8]] }, signal)).toMatchObject({ type: 'ok' });
  }, 90_000);
});
