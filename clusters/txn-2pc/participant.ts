/**
 * The participant half of a txn-2pc node: the shards this node holds (each key's list, or a
 * register's value as a list of one), their locks, and the transactions prepared on them.
 *
 * - prepare: take the locks (shared for reads, exclusive for writes, no waiting: a conflict is a
 *   no vote, so there are no deadlocks), evaluate the reads in order (a read after the
 *   transaction's own write sees it), write a durable prepare record, then vote yes with the
 *   read results. Locks are held until the decision, read-only shares included: releasing read
 *   locks early breaks serializability across shards.
 * - decide: commit applies the prepared writes; abort drops them; both release the locks and are
 *   recorded. A decision for a transaction it never prepared changes nothing.
 * - in doubt: a transaction prepared for longer than IN_DOUBT_MS without a decision is asked
 *   about, every QUERY_EVERY_MS, at its coordinator's log, which answers commit or abort (or
 *   nothing while it is still collecting votes). Prepared transactions survive a restart with
 *   their locks, so a restarted participant stays in doubt until it hears.
 */
import type { Bugs } from './bugs.js';
import type { Outbox, Rec } from './outbox.js';
import type { DecideMsg, Envelope, Key, Model, PrepareMsg, ShardOp, VoteMsg } from './protocol.js';

/** How long a prepared transaction waits for its decision before asking the coordinator. */
export const IN_DOUBT_MS = 500;
export const QUERY_EVERY_MS = 250;

interface Prepared {
  coord: string;
  model: Model;
  reads: Key[];
  writes: [Key, Key][];
  votes: VoteMsg;
  /** When it was prepared (or recovered), and when the coordinator was last asked. */
  since: number;
  askedAt: number;
}

interface Lock {
  writer: string | undefined;
  readers: Set<string>;
}

const id = (key: Key): string => JSON.stringify(key);

export class Participant {
  private readonly data = new Map<string, Key[]>();
  private readonly locks = new Map<string, Lock>();
  private readonly prepared = new Map<string, Prepared>();
  /** Transactions decided here (true: committed), so a late or repeated prepare is refused. */
  private readonly done = new Map<string, boolean>();

  constructor(
    private readonly bugs: Bugs,
    private readonly out: Outbox,
  ) {}

  /** Rebuild from the log: committed lists, and prepared transactions with their locks, in doubt. */
  restore(records: readonly Rec[], now: number): void {
    const pending = new Map<string, Extract<Rec, { r: 'prepared' }>>();
    for (const rec of records) {
      if (rec.r === 'prepared') pending.set(rec.txn, rec);
      else if (rec.r === 'committed' || rec.r === 'aborted') {
        const p = pending.get(rec.txn);
        pending.delete(rec.txn);
        if (p && rec.r === 'committed') this.apply(p.model, p.writes);
        this.done.set(rec.txn, rec.r === 'committed');
      }
    }
    for (const [txn, p] of pending) {
      const votes: VoteMsg = { type: 'vote', txn, yes: true, reads: p.results };
      const prepared: Prepared = { coord: p.coord, model: p.model, reads: p.reads, writes: p.writes, votes, since: now - IN_DOUBT_MS, askedAt: -Infinity };
      this.prepared.set(txn, prepared);
      this.lock(txn, prepared);
    }
  }

  prepare(msg: Envelope<PrepareMsg>, now: number): void {
    const { txn, from } = msg;
    const again = this.prepared.get(txn);
    if (again) return this.out.send(from, again.votes);
    const { model } = msg;
    const { reads, readKeys, writes } = this.evaluate(txn, model, msg.ops);
    const refuse = (why: string): void => this.out.send(from, { type: 'vote', txn, yes: false, reads, why });
    if (this.done.has(txn)) return refuse(`${txn} was already decided`);
    const conflict = this.conflict(txn, msg.ops);
    if (conflict !== undefined) {
      this.done.set(txn, false);
      return refuse(conflict);
    }
    const votes: VoteMsg = { type: 'vote', txn, yes: true, reads };
    const prepared: Prepared = { coord: from, model, reads: readKeys, writes, votes, since: now, askedAt: now };
    this.prepared.set(txn, prepared);
    this.lock(txn, prepared);
    this.out.record({ r: 'prepared', txn, coord: from, model, reads: readKeys, writes, results: reads });
    this.out.send(from, votes);
  }

  decide(msg: DecideMsg): void {
    const p = this.prepared.get(msg.txn);
    if (!p) {
      if (!this.done.has(msg.txn)) this.done.set(msg.txn, false);
      return;
    }
    this.prepared.delete(msg.txn);
    this.unlock(msg.txn, p);
    if (msg.commit) this.apply(p.model, p.writes);
    this.done.set(msg.txn, msg.commit);
    this.out.record({ r: msg.commit ? 'committed' : 'aborted', txn: msg.txn });
  }

  /** Ask the coordinators of transactions in doubt for too long. */
  tick(now: number): void {
    for (const [txn, p] of this.prepared) {
      if (now - p.since < IN_DOUBT_MS || now - p.askedAt < QUERY_EVERY_MS) continue;
      p.askedAt = now;
      this.out.send(p.coord, { type: 'query', txn });
    }
  }

  /** The committed list at `key` (for status and tests). */
  list(key: Key): readonly Key[] {
    return this.data.get(id(key)) ?? [];
  }

  inDoubt(): number {
    return this.prepared.size;
  }

  /** The reads of `ops` in order, as this transaction sees its shard, and the writes it makes. */
  private evaluate(txn: string, model: Model, ops: readonly ShardOp[]): { reads: VoteMsg['reads']; readKeys: Key[]; writes: [Key, Key][] } {
    const seen = new Map<string, Key[]>();
    const reads: VoteMsg['reads'] = [];
    const readKeys: Key[] = [];
    const writes: [Key, Key][] = [];
    for (const [at, [f, key, value]] of ops) {
      const k = id(key);
      let list = seen.get(k);
      if (!list) seen.set(k, (list = this.visible(k, txn, model)));
      if (f === 'r') {
        reads.push([at, list.length === 0 ? null : model === 'list' ? [...list] : (list[0] as Key)]);
        readKeys.push(key);
      } else {
        write(model, list, value as Key);
        writes.push([key, value as Key]);
      }
    }
    return { reads, readKeys, writes };
  }

  /** What `txn` reads at `k` before its own writes: the committed state (and, buggy, a prepared writer's writes). */
  private visible(k: string, txn: string, model: Model): Key[] {
    const list = [...(this.data.get(k) ?? [])];
    const writer = this.locks.get(k)?.writer;
    if (this.bugs.has('read-uncommitted') && writer !== undefined && writer !== txn) {
      for (const [key, value] of this.prepared.get(writer)?.writes ?? []) if (id(key) === k) write(model, list, value);
    }
    return list;
  }

  /** Why `ops` cannot be locked for `txn`, or undefined when they can. */
  private conflict(txn: string, ops: readonly ShardOp[]): string | undefined {
    for (const [, [f, key]] of ops) {
      const lock = this.locks.get(id(key));
      if (!lock) continue;
      const otherWriter = lock.writer !== undefined && lock.writer !== txn;
      if (f !== 'r' && (otherWriter || [...lock.readers].some((r) => r !== txn))) return `${id(key)} is locked by ${lock.writer ?? [...lock.readers][0]}`;
      if (f === 'r' && otherWriter && !this.bugs.has('read-uncommitted')) return `${id(key)} is locked by ${lock.writer}`;
    }
    return undefined;
  }

  private lock(txn: string, p: Pick<Prepared, 'reads' | 'writes'>): void {
    const at = (key: Key): Lock => {
      const k = id(key);
      let lock = this.locks.get(k);
      if (!lock) this.locks.set(k, (lock = { writer: undefined, readers: new Set() }));
      return lock;
    };
    if (!this.bugs.has('read-uncommitted')) for (const key of p.reads) at(key).readers.add(txn);
    for (const [key] of p.writes) at(key).writer = txn;
  }

  private unlock(txn: string, p: Pick<Prepared, 'reads' | 'writes'>): void {
    for (const key of [...p.reads, ...p.writes.map(([k]) => k)]) {
      const k = id(key);
      const lock = this.locks.get(k);
      if (!lock) continue;
      lock.readers.delete(txn);
      if (lock.writer === txn) lock.writer = undefined;
      if (lock.writer === undefined && lock.readers.size === 0) this.locks.delete(k);
    }
  }

  private apply(model: Model, writes: readonly [Key, Key][]): void {
    for (const [key, value] of writes) {
      const k = id(key);
      const list = this.data.get(k);
      if (list) write(model, list, value);
      else this.data.set(k, [value]);
    }
  }
}

/** A write to a key's state: a list grows by `value`; a register (a list of at most one) becomes `value`. */
function write(model: Model, list: Key[], value: Key): void {
  if (model === 'register') list.length = 0;
  list.push(value);
}
