/**
 * The shards one node holds, as every commit protocol here uses them: committed values (a list
 * per key, a register being a list of at most one), and locks, shared for reads and exclusive for
 * writes, held by prepared transactions until their outcome. The store never waits: a conflict
 * says so (`locked`), and the participant decides how long to try again (./lock-wait.ts). No
 * I/O: participants make records of what they prepare and decide, and rebuild a store from them
 * after a restart.
 */
import type { Key, Model, ShardOp, VoteMsg } from './protocol.js';

/** What a prepared transaction holds on this node: keys it read (shared locks) and its writes (exclusive). */
export interface Shares {
  reads: Key[];
  /** Appends, or the values registers are set to (an `add` as the sum it makes). */
  writes: [Key, Key][];
}

/**
 * The outcome of preparing on this node: locked, with what the reads returned, or not: `holders`
 * are the transactions holding locks it needs (worth waiting for), none when it is refused for
 * good (an overdraft).
 */
export type Preparation = ({ yes: true } & Shares) | { yes: false; why: string; holders: readonly string[] };

/** The read results a vote carries, by position in the transaction. */
export type ReadResults = VoteMsg['reads'];

/** What a participant's log says about the transactions on its shards. */
export type ParticipantRec =
  /**
   * Prepared `txn` for `coord`, holding locks on `reads` (shared) and `writes` (exclusive:
   * appends, or register values set, as `model` says); `results` is what its reads returned,
   * sent again if the prepare is repeated.
   */
  | ({ r: 'prepared'; txn: string; coord: string; model: Model; results: ReadResults } & Shares)
  /** Applied a prepared transaction's writes and released its locks. */
  | { r: 'committed'; txn: string }
  /** Dropped a prepared transaction and released its locks. */
  | { r: 'aborted'; txn: string };

export type PreparedRec = Extract<ParticipantRec, { r: 'prepared' }>;

/** What replaying a participant's log leaves undecided, and what it decided (true: committed). */
export interface Replayed {
  pending: Map<string, PreparedRec>;
  done: Map<string, boolean>;
}

interface Lock {
  writer: string | undefined;
  readers: Set<string>;
}

const id = (key: Key): string => JSON.stringify(key);

export class ShardStore {
  private readonly data = new Map<string, Key[]>();
  private readonly locks = new Map<string, Lock>();
  /** What each transaction holding locks here holds. */
  private readonly held = new Map<string, Shares>();

  /**
   * @param readUncommitted txn-2pc's `read-uncommitted` bug: reads take no locks, ignore writers'
   *   locks, and see a prepared writer's writes.
   */
  constructor(private readonly readUncommitted = false) {}

  /**
   * Evaluate `ops` for `txn` and lock what they touch, or say why not (a lock held by another
   * transaction, an overdraft). The read results are in the order of `ops`: a read after the
   * transaction's own write sees it.
   */
  prepare(txn: string, model: Model, ops: readonly ShardOp[]): Preparation & { results: ReadResults } {
    const { results, shares, refusal } = this.evaluate(txn, model, ops);
    const conflict = this.conflict(txn, ops);
    if (conflict !== undefined) return { yes: false, ...conflict, results };
    if (refusal !== undefined) return { yes: false, why: refusal, holders: [], results };
    this.lock(txn, shares);
    return { yes: true, ...shares, results };
  }

  /**
   * Rebuild from a participant's log: apply what committed, and take the locks of what is still
   * prepared again, which is returned with every outcome recorded.
   */
  replay(records: readonly { r: string }[]): Replayed {
    const out: Replayed = { pending: new Map(), done: new Map() };
    for (const rec of records as ParticipantRec[]) {
      if (rec.r === 'prepared') out.pending.set(rec.txn, rec);
      else if (rec.r === 'committed' || rec.r === 'aborted') {
        const p = out.pending.get(rec.txn);
        out.pending.delete(rec.txn);
        if (p && rec.r === 'committed') this.apply(p.model, p.writes);
        out.done.set(rec.txn, rec.r === 'committed');
      }
    }
    for (const [txn, p] of out.pending) this.lock(txn, p);
    return out;
  }

  /** Take `txn`'s locks again (a prepared transaction reloaded after a restart). */
  lock(txn: string, shares: Shares): void {
    const at = (key: Key): Lock => {
      const k = id(key);
      let lock = this.locks.get(k);
      if (!lock) this.locks.set(k, (lock = { writer: undefined, readers: new Set() }));
      return lock;
    };
    if (!this.readUncommitted) for (const key of shares.reads) at(key).readers.add(txn);
    for (const [key] of shares.writes) at(key).writer = txn;
    this.held.set(txn, shares);
  }

  /** Release `txn`'s locks, applying its writes first when it committed. */
  finish(txn: string, model: Model, commit: boolean): void {
    const shares = this.held.get(txn);
    if (!shares) return;
    this.held.delete(txn);
    for (const key of [...shares.reads, ...shares.writes.map(([k]) => k)]) {
      const k = id(key);
      const lock = this.locks.get(k);
      if (!lock) continue;
      lock.readers.delete(txn);
      if (lock.writer === txn) lock.writer = undefined;
      if (lock.writer === undefined && lock.readers.size === 0) this.locks.delete(k);
    }
    if (commit) this.apply(model, shares.writes);
  }

  /** Apply committed writes (replaying the log after a restart). */
  apply(model: Model, writes: readonly [Key, Key][]): void {
    for (const [key, value] of writes) {
      const k = id(key);
      const list = this.data.get(k);
      if (list) write(model, list, value);
      else this.data.set(k, [value]);
    }
  }

  /** The committed list at `key` (a register's value is its only element). */
  list(key: Key): readonly Key[] {
    return this.data.get(id(key)) ?? [];
  }

  /** The reads of `ops` in order, as `txn` sees this shard, the writes it makes, and any overdraft. */
  private evaluate(txn: string, model: Model, ops: readonly ShardOp[]): { results: ReadResults; shares: Shares; refusal?: string } {
    const seen = new Map<string, Key[]>();
    const results: ReadResults = [];
    const shares: Shares = { reads: [], writes: [] };
    let refusal: string | undefined;
    for (const [at, [f, key, value]] of ops) {
      const k = id(key);
      let list = seen.get(k);
      if (!list) seen.set(k, (list = this.visible(k, txn, model)));
      if (f === 'r') {
        results.push([at, list.length === 0 ? null : model === 'list' ? [...list] : (list[0] as Key)]);
        shares.reads.push(key);
        continue;
      }
      let next = value as Key;
      if (f === 'add') {
        const held = typeof list[0] === 'number' ? list[0] : 0;
        next = held + (value as number);
        if (next < 0) refusal ??= `${k} holds ${held}, cannot add ${value as number}`;
      }
      write(model, list, next);
      shares.writes.push([key, next]);
    }
    return { results, shares, ...(refusal !== undefined && { refusal }) };
  }

  /** What `txn` reads at `k` before its own writes: the committed state (and, buggy, a prepared writer's writes). */
  private visible(k: string, txn: string, model: Model): Key[] {
    const list = [...(this.data.get(k) ?? [])];
    const writer = this.locks.get(k)?.writer;
    if (this.readUncommitted && writer !== undefined && writer !== txn) {
      for (const [key, value] of this.held.get(writer)?.writes ?? []) if (id(key) === k) write(model, list, value);
    }
    return list;
  }

  /** Why `ops` cannot be locked for `txn`, with every other transaction holding a lock they need; undefined when they can. */
  private conflict(txn: string, ops: readonly ShardOp[]): { why: string; holders: string[] } | undefined {
    const holders = new Set<string>();
    let why: string | undefined;
    for (const [, [f, key]] of ops) {
      const lock = this.locks.get(id(key));
      if (!lock) continue;
      const writer = lock.writer !== undefined && lock.writer !== txn ? [lock.writer] : [];
      const blocking = f !== 'r' ? [...writer, ...[...lock.readers].filter((r) => r !== txn)] : this.readUncommitted ? [] : writer;
      if (blocking.length === 0) continue;
      why ??= `${id(key)} is locked by ${blocking[0]!}`;
      for (const h of blocking) holders.add(h);
    }
    return why === undefined ? undefined : { why, holders: [...holders] };
  }
}

/** A write to a key's state: a list grows by `value`; a register (a list of at most one) becomes `value`. */
function write(model: Model, list: Key[], value: Key): void {
  if (model === 'register') list.length = 0;
  list.push(value);
}
