/**
 * A sharded-kv node's core, deterministic and without I/O like every bundled core: the Raft
 * groups of the shards placed on this node (each the shared key-value store on the shared Raft
 * core, src/node/raft/kv.ts, with the shard's replicas as its members), and the router that
 * relays client requests to the leader of their key's shard (./router.ts). Raft messages go out
 * tagged with their shard; a forwarded request is served by this node's replica of its shard
 * (or refused with `not-leader`, naming the leader it knows) and answered to the node that sent it.
 *
 * `ready()` gathers every group's batch into one: each shard's disk changes, then the messages
 * and replies, released only once every change in the batch is durable.
 */
import type { KvRequest, KvResult, NodeStatus } from '../../src/node/kv/protocol.js';
import type { CoreEnv, NodeCore } from '../../src/node/kv/run-node.js';
import { makeRaftConfig } from '../../src/node/raft/config.js';
import { KvRaft } from '../../src/node/raft/kv.js';
import type { LogWrite } from '../../src/node/raft/log.js';
import type { HardState, Persisted, Reply } from '../../src/node/raft/types.js';
import { bugSet, type Bugs } from './bugs.js';
import type { ShardMessage } from './messages.js';
import type { Placement } from './placement.js';
import { Router } from './router.js';

/** What one shard's replica must make durable, in order. */
export interface ShardSave {
  shard: number;
  hardState?: HardState;
  log?: LogWrite;
}

export interface ShardedReady {
  saves: ShardSave[];
  messages: { to: string; msg: ShardMessage }[];
  replies: Reply[];
}

/** A shard's replica as the node's status reports it. */
export interface ShardStatus {
  shard: number;
  role: NodeStatus['role'];
  term: number;
  leader: string | null;
  commitIndex: number;
}

/** The node's status: its replica of shard 0 (the primary is that shard's leader), with every shard's. */
export interface ShardedStatus extends NodeStatus {
  shardCount: number;
  shards: ShardStatus[];
}

/** How often a node tells every other which shards it leads. */
export const ANNOUNCE_MS = 250;

/** The request ids a replica answers forwarded requests under: `f:<node>:<fid>`. */
const FORWARDED = /^f:([^:]+):(.+)$/;

export class ShardedCore implements NodeCore<ShardMessage, ShardedReady> {
  readonly groups = new Map<number, KvRaft>();
  readonly router: Router;
  private readonly bugs: Bugs;
  private out: ShardedReady = { saves: [], messages: [], replies: [] };
  private announceDue = 0;

  constructor(
    readonly id: string,
    readonly placement: Placement,
    private readonly env: CoreEnv,
    persisted: (shard: number) => Persisted,
    bugs: readonly string[] = [],
  ) {
    this.bugs = bugSet(bugs);
    for (const shard of placement.shardsOn(id)) {
      // Of sharded-kv's bugs only stale-read is in the Raft core.
      const cfg = makeRaftConfig(id, placement.replicas(shard), { has: (bug) => bug === 'stale-read' && this.bugs.has('stale-read') });
      this.groups.set(shard, new KvRaft(cfg, shardEnv(env, shard), persisted(shard)));
    }
    this.router = new Router(
      {
        self: id,
        placement,
        knownLeader: (shard) => this.groups.get(shard)?.status().leader ?? undefined,
        forward: (to, fid, shard, req) => this.forward(to, fid, shard, req),
        reply: (rid, result) => void this.out.replies.push({ rid, result }),
      },
      Math.floor(env.random() * 2 ** 32).toString(36),
    );
  }

  // ---- inputs ----

  request(rid: string, req: KvRequest): void {
    const shard = this.placement.shardOf(req.key);
    const group = this.groups.get(shard);
    if (group && req.f === 'read' && this.bugs.has('local-read')) {
      this.env.log('debug', 'bug local-read: serving a read from this replica without asking its leader', { shard });
      this.out.replies.push({ rid, result: { type: 'ok', value: group.sm.get(req.key) } });
      return;
    }
    this.router.route(rid, req, this.env.mono());
  }

  receive(m: ShardMessage): void {
    switch (m.type) {
      case 'raft':
        return this.groups.get(m.shard)?.receive(m.msg);
      case 'forward':
        return this.serve(m.from, m.fid, m.shard, m.req);
      case 'forwarded':
        return this.router.answered(m.fid, m.from, m.result, this.env.mono());
      case 'leading':
        for (const [shard, term] of m.shards) this.router.leads(shard, m.from, term);
    }
  }

  tick(): void {
    for (const group of this.groups.values()) group.tick();
    const now = this.env.mono();
    this.router.tick(now);
    if (now >= this.announceDue) {
      this.announceDue = now + ANNOUNCE_MS;
      this.announce();
    }
  }

  // ---- outputs ----

  ready(): ShardedReady | undefined {
    // Answers to requests this node relayed to itself may relay them again: drain until still.
    for (let moved = true; moved; ) {
      moved = false;
      for (const [shard, group] of this.groups) {
        for (let rd = group.ready(); rd; rd = group.ready()) {
          moved = true;
          if (rd.hardState || rd.log) this.out.saves.push({ shard, ...(rd.hardState && { hardState: rd.hardState }), ...(rd.log && { log: rd.log }) });
          for (const { to, msg } of rd.messages) this.out.messages.push({ to, msg: { type: 'raft', from: this.id, shard, msg } });
          for (const { rid, result } of rd.replies) this.answer(rid, result);
        }
      }
    }
    const batch = this.out;
    if (batch.saves.length === 0 && batch.messages.length === 0 && batch.replies.length === 0) return undefined;
    this.out = { saves: [], messages: [], replies: [] };
    return batch;
  }

  status(): ShardedStatus {
    const shards = [...this.groups].map(([shard, group]): ShardStatus => {
      const { role, term, leader, commitIndex } = group.status();
      return { shard, role, term, leader, commitIndex };
    });
    const zero = this.groups.get(0)?.status() ?? { id: this.id, role: 'follower' as const, term: 0, leader: null, commitIndex: 0 };
    return { ...zero, id: this.id, shardCount: this.placement.shards, shards };
  }

  // ---- forwarding ----

  /** Tell every other node which shards this node leads, with their terms. */
  private announce(): void {
    const shards = [...this.groups].filter(([, g]) => g.isLeader).map(([shard, g]): [number, number] => [shard, g.currentTerm]);
    if (shards.length === 0) return;
    for (const to of this.placement.nodes) if (to !== this.id) this.out.messages.push({ to, msg: { type: 'leading', from: this.id, shards } });
  }

  /** Serve a request `from` relayed as `fid` with this node's replica of `shard`. */
  private serve(from: string, fid: string, shard: number, req: KvRequest): void {
    const group = this.groups.get(shard);
    if (group) group.request(`f:${from}:${fid}`, req);
    else this.answer(`f:${from}:${fid}`, { type: 'fail', error: 'not-leader' });
  }

  private forward(to: string, fid: string, shard: number, req: KvRequest): void {
    if (to === this.id) this.serve(to, fid, shard, req);
    else this.out.messages.push({ to, msg: { type: 'forward', from: this.id, fid, shard, req } });
  }

  /** A replica answered request `rid`: a client's own, or one relayed by this node or another. */
  private answer(rid: string, result: KvResult): void {
    const relayed = FORWARDED.exec(rid);
    if (!relayed) return void this.out.replies.push({ rid, result });
    const from = relayed[1]!;
    const fid = relayed[2]!;
    if (from === this.id) this.router.answered(fid, from, result, this.env.mono());
    else this.out.messages.push({ to: from, msg: { type: 'forwarded', from: this.id, fid, result } });
  }
}

/** The node's environment for one shard's group: its log lines name the shard. */
function shardEnv(env: CoreEnv, shard: number): CoreEnv {
  return { ...env, log: (level, message, fields) => env.log(level, message, { shard, ...fields }) };
}
