/**
 * Messages between sharded-kv nodes, over the shared peer transport: one node process hosts a
 * replica of several shards, so every Raft message travels tagged with its shard; and a node
 * that is asked for a key of a shard it does not lead forwards the request to the node it
 * believes leads that shard and relays the answer (./router.ts), learning who leads from the
 * answers and from what leaders announce.
 */
import type { KvRequest, KvResult } from '../../src/node/kv/protocol.js';
import { isRaftMessage, type RaftMessage } from '../../src/node/raft/messages.js';

/** A Raft message of `shard`'s replica group. */
export interface ShardRaft {
  type: 'raft';
  from: string;
  shard: number;
  msg: RaftMessage;
}

/** A client request for a key of `shard`, forwarded by the node the client asked; `fid` names it there. */
export interface Forward {
  type: 'forward';
  from: string;
  fid: string;
  shard: number;
  req: KvRequest;
}

/** The answer to a forwarded request, from the node that served it (or refused it). */
export interface Forwarded {
  type: 'forwarded';
  from: string;
  fid: string;
  result: KvResult;
}

/** "I lead these shards, in these terms": every leader tells every node now and then, so relays find leaders at once. */
export interface Leading {
  type: 'leading';
  from: string;
  /** [shard, term] pairs. */
  shards: [number, number][];
}

export type ShardMessage = ShardRaft | Forward | Forwarded | Leading;

const isShard = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** A light shape check for messages read off the network. */
export function isShardMessage(x: unknown): x is ShardMessage {
  if (!isObject(x) || typeof x.from !== 'string') return false;
  switch (x.type) {
    case 'raft':
      return isShard(x.shard) && isRaftMessage(x.msg);
    case 'forward':
      return typeof x.fid === 'string' && isShard(x.shard) && isObject(x.req) && typeof x.req.f === 'string' && typeof x.req.key === 'string';
    case 'forwarded':
      return typeof x.fid === 'string' && isObject(x.result) && typeof x.result.type === 'string';
    case 'leading':
      return Array.isArray(x.shards) && x.shards.every((p) => Array.isArray(p) && p.length === 2 && isShard(p[0]) && isShard(p[1]));
    default:
      return false;
  }
}
