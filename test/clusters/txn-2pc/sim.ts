/**
 * txn-2pc cores on a simulated network and disk, on virtual time: messages wait in flight until
 * delivered (or dropped), a batch's records are on the node's disk once the node hands the batch
 * out, and a crash loses the node's memory and whatever it had not yet handed out.
 */
import type { KvResult } from '../../../src/node/kv/protocol.js';
import { TxnNode } from '../../../clusters/txn-2pc/core.js';
import type { Rec } from '../../../clusters/txn-2pc/outbox.js';
import type { Envelope, Key, Model, Mop, PeerMsg } from '../../../clusters/txn-2pc/protocol.js';
import { Ring } from '../../../src/node/txn/ring.js';

export interface InFlight {
  from: string;
  to: string;
  msg: PeerMsg;
}

export class TxnSim {
  readonly nodes = new Map<string, TxnNode>();
  readonly disks = new Map<string, Rec[]>();
  readonly replies = new Map<string, KvResult>();
  readonly ring: Ring;
  inFlight: InFlight[] = [];
  now = 0;
  private rid = 0;

  constructor(
    readonly ids: readonly string[],
    readonly bugs: readonly string[] = [],
  ) {
    this.ring = new Ring(ids);
    for (const id of ids) {
      this.disks.set(id, []);
      this.boot(id);
    }
  }

  /** A key held by `node` (the `n`-th such key, so tests can take several). */
  keyOn(node: string, n = 0): Key {
    for (let k = 0, found = 0; ; k++) if (this.ring.owner(k) === node && found++ === n) return k;
  }

  /** A client sends `mops` to `node`; returns the request id its reply will carry. */
  txn(node: string, mops: Mop[], model: Model = 'list'): string {
    const rid = `r${++this.rid}`;
    this.nodes.get(node)!.request(rid, { f: 'txn', model, value: mops }, this.now);
    this.collect();
    return rid;
  }

  /** Deliver messages in flight (those `keep` refuses stay in flight) until none is left to deliver. */
  deliver(keep: (m: InFlight) => boolean = () => true): void {
    for (let rounds = 0; rounds < 100; rounds++) {
      const now = this.inFlight.filter(keep);
      if (now.length === 0) return;
      this.inFlight = this.inFlight.filter((m) => !keep(m));
      for (const m of now) {
        const node = this.nodes.get(m.to);
        if (node) node.receive({ ...m.msg, from: m.from } as Envelope, this.now);
      }
      this.collect();
    }
    throw new Error('messages never settle');
  }

  /** Drop messages in flight that `drop` picks. */
  drop(drop: (m: InFlight) => boolean): void {
    this.inFlight = this.inFlight.filter((m) => !drop(m));
  }

  /** Let `ms` pass, in 10 ms ticks, delivering messages `keep` allows after each. */
  advance(ms: number, keep: (m: InFlight) => boolean = () => true): void {
    for (let t = 0; t < ms; t += 10) {
      this.now += 10;
      for (const node of this.nodes.values()) node.tick(this.now);
      this.collect();
      this.deliver(keep);
    }
  }

  /** kill -9 `node`: its memory is gone, and so is anything it still had to send. */
  crash(node: string): void {
    this.nodes.delete(node);
    this.inFlight = this.inFlight.filter((m) => m.from !== node && m.to !== node);
  }

  /** Start `node` again from its disk. */
  restart(node: string): void {
    this.boot(node);
  }

  /** The committed list at `key`, from its owner. */
  list(key: Key): readonly Key[] {
    return this.nodes.get(this.ring.owner(key))!.list(key);
  }

  private boot(id: string): void {
    this.nodes.set(id, new TxnNode({ id, nodes: this.ids, bugs: this.bugs }, this.disks.get(id)!, this.now));
    this.collect();
  }

  private collect(): void {
    for (const [id, node] of this.nodes) {
      for (let b = node.ready(); b; b = node.ready()) {
        const disk = this.disks.get(id)!;
        for (const rec of b.records) disk.push(rec);
        for (const { to, msg } of b.messages) this.inFlight.push({ from: id, to, msg });
        for (const { rid, result } of b.replies) this.replies.set(rid, result);
      }
    }
  }
}
