/**
 * Transactional node cores (txn-2pc, txn-3pc) on a simulated network and disk, on virtual time:
 * messages wait in flight until delivered (or dropped), a batch's records are on the node's disk
 * once the node hands the batch out, and a crash loses the node's memory and whatever it had not
 * yet handed out.
 */
import type { KvResult } from '../../src/node/kv/protocol.js';
import type { Batch } from '../../src/node/txn/outbox.js';
import type { Key, Model, Mop, TxnRequest } from '../../src/node/txn/protocol.js';
import { Ring } from '../../src/node/txn/ring.js';

/** What the simulation needs of a core. */
export interface SimCore<R, M> {
  readonly incarnation: number;
  request(rid: string, req: TxnRequest, now: number): void;
  receive(msg: M & { from: string }, now: number): void;
  tick(now: number): void;
  ready(): Batch<R, M> | undefined;
  /** The messages of a handed-out batch left (here: at once). */
  sent?(messages: readonly { to: string; msg: M }[], now: number): void;
  list(key: Key): readonly Key[];
}

export interface InFlight<M = { type: string }> {
  from: string;
  to: string;
  msg: M;
}

export class CoreSim<R, M extends { type: string }, N extends SimCore<R, M>> {
  readonly nodes = new Map<string, N>();
  readonly disks = new Map<string, R[]>();
  readonly replies = new Map<string, KvResult>();
  readonly ring: Ring;
  inFlight: InFlight<M>[] = [];
  now = 0;
  private rid = 0;

  constructor(
    readonly ids: readonly string[],
    private readonly start: (id: string, records: R[], now: number) => N,
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
  deliver(keep: (m: InFlight<M>) => boolean = () => true): void {
    for (let rounds = 0; rounds < 100; rounds++) {
      const now = this.inFlight.filter(keep);
      if (now.length === 0) return;
      this.inFlight = this.inFlight.filter((m) => !keep(m));
      for (const m of now) {
        const node = this.nodes.get(m.to);
        if (node) node.receive({ ...m.msg, from: m.from }, this.now);
      }
      this.collect();
    }
    throw new Error('messages never settle');
  }

  /** Drop messages in flight that `drop` picks. */
  drop(drop: (m: InFlight<M>) => boolean): void {
    this.inFlight = this.inFlight.filter((m) => !drop(m));
  }

  /** Let `ms` pass, in 10 ms ticks, delivering messages `keep` allows after each. */
  advance(ms: number, keep: (m: InFlight<M>) => boolean = () => true): void {
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
    this.nodes.set(id, this.start(id, this.disks.get(id)!, this.now));
    this.collect();
  }

  private collect(): void {
    for (const [id, node] of this.nodes) {
      for (let b = node.ready(); b; b = node.ready()) {
        const disk = this.disks.get(id)!;
        for (const rec of b.records) disk.push(rec);
        for (const { to, msg } of b.messages) this.inFlight.push({ from: id, to, msg });
        node.sent?.(b.messages, this.now);
        for (const { rid, result } of b.replies) this.replies.set(rid, result);
      }
    }
  }
}
