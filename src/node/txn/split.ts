/**
 * What every coordinator here does with a client's transaction: split it into each shard's share
 * (the micro-operations on the keys a node holds, with their positions), and put the votes' read
 * results back in place for the client's `ok`.
 */
import type { Mop, ReadOp, ShardOp, VoteMsg } from './protocol.js';
import type { Ring } from './ring.js';

/** Each node's share of `mops`, by the node holding each key. */
export function byShard(ring: Ring, mops: readonly Mop[]): Map<string, ShardOp[]> {
  const shards = new Map<string, ShardOp[]>();
  mops.forEach((mop, at) => {
    const node = ring.owner(mop[1]);
    const ops = shards.get(node);
    if (ops) ops.push([at, mop]);
    else shards.set(node, [[at, mop]]);
  });
  return shards;
}

/** `mops` with every read answered from the votes (null where none said). */
export function withReads(mops: readonly Mop[], votes: Iterable<Pick<VoteMsg, 'reads'>>): Mop[] {
  const read = new Map<number, ReadOp[2]>();
  for (const v of votes) for (const [at, list] of v.reads) read.set(at, list);
  return mops.map((m, at): Mop => (m[0] === 'r' ? ['r', m[1], read.get(at) ?? null] : m));
}
