/**
 * What a leader holds for its ballot: how it recovers the open slots from a majority's promises
 * (phase 1), the acceptances it counts per slot (phase 2), what each follower has learned (to
 * send it the chosen values it lacks), and its heartbeat rounds (src/node/kv/rounds.ts).
 */
import type { Command } from '../../src/node/kv/state-machine.js';
import { Rounds } from '../../src/node/kv/rounds.js';
import type { PaxosConfig } from './config.js';
import type { SlotReport, SlotValue } from './messages.js';

/** What phase 1 found for one slot: the value to propose again, or one known chosen. */
export interface Recovered {
  c: Command;
  chosen: boolean;
}

/**
 * Merge a majority's promises: for each slot, a value some acceptor knows chosen, else the value
 * accepted at the highest ballot (the rule that keeps a chosen value chosen).
 */
export function mergePromises(promises: Iterable<readonly SlotReport[]>): Map<number, Recovered> {
  const best = new Map<number, { b: number; c: Command; chosen: boolean }>();
  for (const entries of promises) {
    for (const e of entries) {
      const cur = best.get(e.s);
      if (cur?.chosen) continue;
      if (e.k || !cur || e.b > cur.b) best.set(e.s, { b: e.b, c: e.c, chosen: e.k === true });
    }
  }
  return new Map([...best].map(([s, v]) => [s, { c: v.c, chosen: v.chosen }]));
}

interface Follower {
  /** The follower's first slot not known chosen, as it last said. */
  firstUnchosen: number;
  /** Where the last catch-up batch started, and when it was sent. */
  learnFrom: number;
  learnAt: number;
}

export class Leadership {
  readonly rounds: Rounds;
  /** Open slots of this ballot and who accepted each (the leader included). */
  readonly pending = new Map<number, Set<string>>();
  /** Slots proposed since the last flush, to send to everyone. */
  private fresh: SlotValue[] = [];
  private readonly followers = new Map<string, Follower>();
  nextSlot: number;

  constructor(
    private readonly cfg: PaxosConfig,
    readonly ballot: number,
    peers: readonly string[],
    private readonly quorum: number,
    /** The last slot phase 1 recovered; reads wait until it is chosen. */
    readonly recoveryEnd: number,
    firstUnchosen: number,
    now: number,
  ) {
    this.rounds = new Rounds(peers, quorum, now);
    this.nextSlot = recoveryEnd + 1;
    for (const peer of peers) this.followers.set(peer, { firstUnchosen, learnFrom: 0, learnAt: Number.NEGATIVE_INFINITY });
  }

  /** Propose `c` in slot `s`, accepted by the leader itself; true when that is already a majority. */
  propose(s: number, c: Command): boolean {
    this.pending.set(s, new Set([this.cfg.id]));
    this.fresh.push({ s, c });
    return this.quorum <= 1;
  }

  /** `from` accepted slot `s`; true when that makes a majority. */
  accepted(s: number, from: string): boolean {
    const acks = this.pending.get(s);
    if (!acks) return false;
    acks.add(from);
    if (acks.size < this.quorum) return false;
    this.pending.delete(s);
    return true;
  }

  /** Slots proposed since the last call, in batches of at most `maxBatch`. */
  takeFresh(): SlotValue[][] {
    const out: SlotValue[][] = [];
    for (let i = 0; i < this.fresh.length; i += this.cfg.maxBatch) out.push(this.fresh.slice(i, i + this.cfg.maxBatch));
    this.fresh = [];
    return out;
  }

  /** Open slots `peer` has not accepted, other than those just `sent` (resent each heartbeat). */
  unacked(peer: string, sent: ReadonlySet<number>, value: (s: number) => Command): SlotValue[] {
    const out: SlotValue[] = [];
    for (const [s, acks] of this.pending) {
      if (out.length >= this.cfg.maxBatch) break;
      if (!acks.has(peer) && !sent.has(s)) out.push({ s, c: value(s) });
    }
    return out;
  }

  /**
   * `peer` says it has learned every slot below `firstUnchosen`. Returns where a catch-up batch
   * should start when it lags behind `leaderFirst`, at most one new batch per heartbeat unless it
   * made progress.
   */
  lagging(peer: string, firstUnchosen: number, leaderFirst: number, now: number): number | undefined {
    const f = this.followers.get(peer);
    if (!f) return undefined;
    f.firstUnchosen = firstUnchosen;
    if (firstUnchosen >= leaderFirst) return undefined;
    if (f.learnFrom === firstUnchosen && now - f.learnAt < this.cfg.heartbeatMs) return undefined;
    f.learnFrom = firstUnchosen;
    f.learnAt = now;
    return firstUnchosen;
  }
}
