/**
 * A node's acceptor and learner: the promised ballot and the slots (./slots.ts), which are its
 * durable state, and the answers to the proposers' messages: `prepare` (phase 1: promise, and
 * report what was accepted), `accept` (phase 2: accept, and learn the slots the leader says are
 * chosen) and `learn` (take chosen values it lacks). The proposer side of the same node is
 * ./paxos.ts, which this module tells when a higher ballot ends its own leadership or campaign.
 *
 * Bug `accept-without-promise-check` lives here: accepts below the promised ballot are taken.
 */
import type { CoreEnv } from '../../src/node/kv/run-node.js';
import type { Unsent } from '../../src/node/transport.js';
import type { Command } from '../../src/node/kv/state-machine.js';
import { ballotOwner } from './ballot.js';
import type { PaxosConfig } from './config.js';
import type { Accept, Learn, PaxosMessage, Prepare, SlotValue } from './messages.js';
import { recover, type Persisted } from './recovery.js';
import type { SlotLog } from './slots.js';

/** A peer message as its sender writes it. */
export type Body = Unsent<PaxosMessage>;

/** What the acceptor needs from the node it lives in. */
export interface AcceptorHost {
  /** A ballot was seen in a message: the node's next campaign starts above it. */
  seen(ballot: number): void;
  /**
   * This node promises `ballot`, higher than its own: of `leader` when that one already leads (an
   * accept), of a candidate otherwise (a prepare: `null`). Any leadership or campaign of its own is over.
   */
  yieldTo(leader: string | null, ballot: number): void;
  /** A proposer of the promised ballot is alive: the election timer starts again. */
  heardProposer(): void;
  /** New slots may be chosen: apply them in order. */
  applyChosen(): void;
  send(to: string, body: Body): void;
}

export class Acceptor {
  readonly log: SlotLog;
  private promisedBallot: number;
  private savedPromise: number;

  constructor(
    private readonly cfg: PaxosConfig,
    private readonly env: CoreEnv,
    persisted: Persisted,
    private readonly host: AcceptorHost,
  ) {
    ({ promised: this.promisedBallot, log: this.log } = recover(cfg, env, persisted));
    this.savedPromise = this.promisedBallot;
  }

  get promised(): number {
    return this.promisedBallot;
  }

  /** This node's own proposer runs phase 1 with `ballot`: it promises it first. */
  promise(ballot: number): void {
    this.promisedBallot = ballot;
  }

  /** The promise to make durable before anything else in the batch is sent, if it changed. */
  takePromise(): number | undefined {
    if (this.promisedBallot === this.savedPromise) return undefined;
    this.savedPromise = this.promisedBallot;
    return this.promisedBallot;
  }

  onPrepare(m: Prepare): void {
    this.host.seen(m.ballot);
    if (m.probe) {
      const ok = m.ballot > this.promisedBallot;
      return this.host.send(m.from, { type: 'promise', ballot: m.ballot, ok, promised: this.promisedBallot, probe: true });
    }
    const retry = m.ballot === this.promisedBallot && ballotOwner(m.ballot, this.cfg.nodes) === m.from;
    if (m.ballot <= this.promisedBallot && !retry) {
      return this.host.send(m.from, { type: 'promise', ballot: m.ballot, ok: false, promised: this.promisedBallot });
    }
    if (m.ballot > this.promisedBallot) {
      this.host.yieldTo(null, m.ballot);
      this.promisedBallot = m.ballot;
    }
    this.host.heardProposer();
    this.host.send(m.from, { type: 'promise', ballot: m.ballot, ok: true, promised: this.promisedBallot, entries: this.log.reportFrom(m.start) });
  }

  onAccept(m: Accept): void {
    this.host.seen(m.ballot);
    const stale = m.ballot < this.promisedBallot;
    if (stale && !this.cfg.bugs.has('accept-without-promise-check')) {
      return this.reply(m, { ok: false, slots: [] });
    }
    if (stale) {
      this.env.log('debug', 'bug accept-without-promise-check: accepting below the promised ballot', { ballot: m.ballot, promised: this.promisedBallot });
    } else {
      // A live leader of this ballot or a higher one: any leadership or campaign of ours is over.
      this.host.yieldTo(m.from, m.ballot);
      this.promisedBallot = m.ballot;
      this.host.heardProposer();
    }
    for (const e of m.entries) this.acceptOne(e, m.ballot);
    const slots = m.entries.map((e) => e.s);
    for (let s = this.log.firstUnchosen; s < m.commit; s++) {
      if (this.log.get(s)?.b === m.ballot) this.log.markChosen(s);
    }
    this.host.applyChosen();
    this.reply(m, { ok: true, slots });
  }

  onLearn(m: Learn): void {
    this.host.seen(m.ballot);
    for (const e of m.entries) this.learn(e.s, e.c);
    this.host.applyChosen();
    this.reply(m, { ok: m.ballot >= this.promisedBallot, slots: [], learn: true });
  }

  /** Take `c` as chosen for slot `s`. */
  learn(s: number, c: Command): void {
    if (!this.log.learn(s, c)) this.env.log('warn', 'SAFETY: slot chosen with two values', { slot: s });
  }

  private acceptOne(e: SlotValue, ballot: number): void {
    // The acceptor answers as acceptors do; the value this node learned as chosen stays.
    if (!this.log.accept(e.s, ballot, e.c)) this.env.log('warn', 'SAFETY: another value proposed for a chosen slot', { slot: e.s, ballot });
  }

  private reply(m: Accept | Learn, body: { ok: boolean; slots: number[]; learn?: true }): void {
    this.host.send(m.from, {
      type: 'accepted',
      ballot: m.ballot,
      ...body,
      promised: this.promisedBallot,
      seq: m.seq,
      firstUnchosen: this.log.firstUnchosen,
    });
  }
}
