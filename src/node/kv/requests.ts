/**
 * Client requests a leader is holding: proposals waiting for their log slot to apply, and
 * read-index reads waiting for a confirmed heartbeat round and for the state machine to catch up.
 * Both tables are filled in deadline order, so expiry only looks at the front.
 */
import type { KvFunction, KvResult } from './protocol.js';
import { resultReply, type ApplyResult, type Command } from './state-machine.js';

export interface PendingProposal {
  rid: string;
  f: KvFunction;
  /** The leadership (term, ballot, epoch) the command was proposed in. */
  term: number;
  deadline: number;
}

/**
 * The reply to a proposal whose slot was applied with `cmd` and `result`. The slot holds this
 * proposal only when `cmd` carries its request id and `sameTerm` (the slot's command was
 * proposed in the proposal's leadership); anything else replaced it, with an unknown outcome.
 */
export function proposalOutcome(p: PendingProposal, cmd: Command, result: ApplyResult, sameTerm = true): KvResult {
  return proposalReply(p, 'rid' in cmd ? cmd.rid : undefined, resultReply(result), sameTerm);
}

/** The same for any state machine: `rid` is the applied command's request id, `reply` what applying it answered. */
export function proposalReply(p: PendingProposal, rid: string | undefined, reply: KvResult, sameTerm = true): KvResult {
  return sameTerm && rid === p.rid ? reply : { type: 'info', error: 'entry replaced' };
}

export class ProposalTable {
  private readonly byIndex = new Map<number, PendingProposal>();

  get size(): number {
    return this.byIndex.size;
  }

  add(index: number, p: PendingProposal): void {
    this.byIndex.set(index, p);
  }

  take(index: number): PendingProposal | undefined {
    const p = this.byIndex.get(index);
    if (p) this.byIndex.delete(index);
    return p;
  }

  /** Remove and return those whose deadline has passed. */
  expire(now: number): PendingProposal[] {
    const out: PendingProposal[] = [];
    for (const [index, p] of this.byIndex) {
      if (p.deadline > now) break;
      this.byIndex.delete(index);
      out.push(p);
    }
    return out;
  }

  drain(): PendingProposal[] {
    const out = [...this.byIndex.values()];
    this.byIndex.clear();
    return out;
  }
}

export interface PendingRead {
  rid: string;
  key: string;
  /** Commit index the read must observe; null until the leader has committed in its term. */
  readIndex: number | null;
  /** The heartbeat round a majority must acknowledge (a round sent after the read arrived). */
  seq: number;
  deadline: number;
}

/** Reads in arrival order; readIndex and seq never decrease along the queue. */
export class ReadQueue {
  private items: PendingRead[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  add(r: PendingRead): void {
    this.items.push(r);
  }

  /** Give reads still waiting for the term's first commit their read index. */
  assignIndex(commitIndex: number): void {
    for (let i = this.items.length - 1; i >= this.head; i--) {
      const r = this.items[i]!;
      if (r.readIndex !== null) break;
      r.readIndex = commitIndex;
    }
  }

  /** Remove and return the reads whose round is confirmed and whose index is applied. */
  takeReady(confirmedSeq: number, applied: number): PendingRead[] {
    const out: PendingRead[] = [];
    while (this.head < this.items.length) {
      const r = this.items[this.head]!;
      if (r.readIndex === null || r.seq > confirmedSeq || r.readIndex > applied) break;
      out.push(r);
      this.head++;
    }
    this.compact();
    return out;
  }

  expire(now: number): PendingRead[] {
    const out: PendingRead[] = [];
    while (this.head < this.items.length && this.items[this.head]!.deadline <= now) {
      out.push(this.items[this.head++]!);
    }
    this.compact();
    return out;
  }

  drain(): PendingRead[] {
    const out = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return out;
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

/**
 * The client requests a leader holds, as every bundled core handles them: proposals answered
 * when their slot applies, read-index reads answered once a heartbeat round sent after them is
 * confirmed and the state machine has caught up, everything answered `info: timeout` at its
 * deadline, and, when leadership is lost, writes answered `info` (they may still commit) and
 * reads `not-leader` (they have no effect, so that is definite).
 */
export class LeaderRequests {
  readonly proposals = new ProposalTable();
  readonly reads = new ReadQueue();

  constructor(private readonly reply: (rid: string, result: KvResult) => void) {}

  /** Answer every request whose deadline has passed. */
  expire(now: number): void {
    for (const p of this.proposals.expire(now)) this.reply(p.rid, { type: 'info', error: 'timeout' });
    for (const r of this.reads.expire(now)) this.reply(r.rid, { type: 'info', error: 'timeout' });
  }

  /** Leadership is gone: answer everything held. */
  drain(notLeader: KvResult): void {
    for (const p of this.proposals.drain()) {
      this.reply(p.rid, p.f === 'read' ? notLeader : { type: 'info', error: 'leadership lost' });
    }
    for (const r of this.reads.drain()) this.reply(r.rid, notLeader);
  }

  /** Slot `index` applied `cmd` with `result`: answer the proposal waiting on it, if any. */
  applied(index: number, cmd: Command, result: ApplyResult, sameTerm = true): void {
    const p = this.proposals.take(index);
    if (p) this.reply(p.rid, proposalOutcome(p, cmd, result, sameTerm));
  }

  /**
   * Serve the reads that are ready: `readIndex` is what reads still without one must observe
   * (null while the leader cannot tell yet), `confirmed` the latest round a majority
   * acknowledged, `applied` how far the state machine is.
   */
  serveReads(readIndex: number | null, confirmed: number, applied: number, get: (key: string) => unknown): void {
    if (this.reads.size === 0) return;
    if (readIndex !== null) this.reads.assignIndex(readIndex);
    for (const r of this.reads.takeReady(confirmed, applied)) this.reply(r.rid, { type: 'ok', value: get(r.key) });
  }
}
