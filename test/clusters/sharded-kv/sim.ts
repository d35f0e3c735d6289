/**
 * sharded-kv in the deterministic simulation (../sim.ts): node cores hosting a Raft group per
 * shard placed on them, a disk per shard replica. The shared invariants (../sim.ts) watch shard
 * 0's group, which the node status reports; `groupViolations` checks every shard's groups the same
 * way (one leader per term, the same committed entries on every replica).
 */
import { ShardedCore, type ShardedReady } from '../../../clusters/sharded-kv/core.js';
import type { ShardMessage } from '../../../clusters/sharded-kv/messages.js';
import { Placement } from '../../../clusters/sharded-kv/placement.js';
import type { KvRaft } from '../../../src/node/raft/kv.js';
import type { Entry } from '../../../src/node/raft/log.js';
import type { HardState } from '../../../src/node/raft/types.js';
import { CoreSim, type SimOptions } from '../sim.js';

type Disk = Map<number, { hardState?: HardState; entries: Entry[] }>;

export interface ShardedSimOptions extends SimOptions {
  shards?: number;
  bugs?: string[];
}

export class ShardedSim extends CoreSim<ShardMessage, ShardedReady, ShardedCore, Disk> {
  readonly placement: Placement;

  constructor(options: ShardedSimOptions = {}) {
    const ids = Array.from({ length: options.nodes ?? 5 }, (_, i) => `n${i + 1}`);
    const placement = new Placement(ids, options.shards ?? 4);
    super(
      {
        emptyDisk: () => new Map(),
        boot: (id, _ids, env, disk) =>
          new ShardedCore(
            id,
            placement,
            env,
            (shard) => {
              const d = disk.get(shard);
              return { entries: [...(d?.entries ?? [])], ...(d?.hardState && { hardState: { ...d.hardState } }) };
            },
            options.bugs ?? [],
          ),
        persist: (disk, batch) => {
          for (const save of batch.saves) {
            const d = disk.get(save.shard) ?? { entries: [] };
            disk.set(save.shard, d);
            if (save.hardState) d.hardState = { ...save.hardState };
            if (save.log) {
              d.entries.length = Math.min(d.entries.length, save.log.from - 1);
              for (const entry of save.log.entries) d.entries.push(entry);
            }
          }
        },
        committedEntry: (core, i) => core.groups.get(0)?.log.get(i),
        serving: (core) => servingGroup(core.groups.get(0)),
      },
      options,
    );
    this.placement = placement;
  }

  /** `node`'s replica of `shard`. */
  group(node: string, shard: number): KvRaft {
    const g = this.core(node).groups.get(shard);
    if (!g) throw new Error(`${node} holds no replica of shard ${shard}`);
    return g;
  }

  /** The replica of `shard` that leads and serves, among the live ones, if any. */
  shardLeader(shard: number): string | undefined {
    return this.placement.replicas(shard).find((id) => this.isUp(id) && this.group(id, shard).isLeader && servingGroup(this.group(id, shard)));
  }

  /** Run until every shard has a leader that serves. */
  allShardsLed(maxMs = 5000): void {
    this.runUntil(() => Array.from({ length: this.placement.shards }, (_, s) => this.shardLeader(s)).every((l) => l !== undefined), maxMs);
  }

  /** A key of `shard` (the first of `prefix0`, `prefix1`, ... placed there). */
  keyOn(shard: number, prefix = 'k'): string {
    for (let i = 0; ; i++) if (this.placement.shardOf(`${prefix}${i}`) === shard) return `${prefix}${i}`;
  }

  /** A node holding no replica of `shard`, if any. */
  outsider(shard: number): string | undefined {
    return this.ids.find((id) => !this.placement.replicas(shard).includes(id));
  }

  /** Every shard's invariants: at most one leader per term, committed entries never differ between replicas. */
  groupViolations(): string[] {
    const found: string[] = [];
    for (let s = 0; s < this.placement.shards; s++) {
      const live = this.placement.replicas(s).filter((id) => this.isUp(id)).map((id) => this.group(id, s));
      const leaders = new Map<number, number>();
      for (const g of live) if (g.isLeader) leaders.set(g.currentTerm, (leaders.get(g.currentTerm) ?? 0) + 1);
      for (const [term, n] of leaders) if (n > 1) found.push(`shard ${s}: ${n} leaders in term ${term}`);
      const upTo = live.reduce((min, g) => Math.min(min, g.commitIndex), Number.POSITIVE_INFINITY);
      for (let i = 1; i <= upTo; i++) {
        const entries = new Set(live.map((g) => JSON.stringify(g.log.get(i))));
        if (entries.size > 1) found.push(`shard ${s}: index ${i} committed differently`);
      }
    }
    return found;
  }
}

function servingGroup(g: KvRaft | undefined): boolean {
  return g !== undefined && g.isLeader && g.log.term(g.commitIndex) === g.currentTerm;
}
