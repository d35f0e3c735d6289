/**
 * Messages between multi-paxos-kv nodes. Every reply is a message of its own on the replier's
 * outbound link (src/node/transport.ts), so requests and replies are lost independently. Every
 * message carries the ballot it is about.
 */
import type { Command } from '../../src/node/kv/state-machine.js';

/** A slot's value as an acceptor reports it: accepted at ballot `b`, or known chosen (`k`). */
export interface SlotReport {
  s: number;
  b: number;
  c: Command;
  k?: true;
}

/** A value for a slot, in accept and learn messages. */
export interface SlotValue {
  s: number;
  c: Command;
}

interface Base {
  from: string;
  ballot: number;
}

/**
 * Phase 1a, for every slot from `from` on at once. With `probe` it only asks whether the
 * acceptor would promise (a pre-vote: no state changes), so a node cut off from a majority does
 * not raise ballots and depose a healthy leader when it comes back.
 */
export interface Prepare extends Base {
  type: 'prepare';
  start: number;
  probe?: true;
}

/**
 * Phase 1b. `ok` false is a refusal naming the ballot the acceptor promised instead. A real
 * promise carries the acceptor's values for every slot from the one asked for on.
 */
export interface Promise_ extends Base {
  type: 'promise';
  ok: boolean;
  promised: number;
  probe?: true;
  entries?: SlotReport[];
}

/**
 * Phase 2a for a batch of slots, also the heartbeat (no entries). `commit` is the leader's first
 * slot not known chosen (every slot below it is chosen); `seq` numbers the leader's rounds.
 */
export interface Accept extends Base {
  type: 'accept';
  entries: SlotValue[];
  commit: number;
  seq: number;
}

/**
 * Phase 2b, for the slots of an accept (or of none, for a heartbeat), or the answer to a learn
 * (`learn`). `ok` false is a refusal naming the promised ballot. `firstUnchosen` tells the leader
 * how far this node has learned, so it can send what is missing.
 */
export interface Accepted extends Base {
  type: 'accepted';
  ok: boolean;
  promised: number;
  slots: number[];
  seq: number;
  firstUnchosen: number;
  learn?: true;
}

/** Chosen values a lagging node lacks (catch-up). */
export interface Learn extends Base {
  type: 'learn';
  entries: SlotValue[];
  seq: number;
}

export type PaxosMessage = Prepare | Promise_ | Accept | Accepted | Learn;

const isNat = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** A light shape check for messages read off the network. */
export function isPaxosMessage(x: unknown): x is PaxosMessage {
  if (typeof x !== 'object' || x === null) return false;
  const m = x as Record<string, unknown>;
  if (typeof m.from !== 'string' || !isNat(m.ballot)) return false;
  switch (m.type) {
    case 'prepare':
      return isNat(m.start);
    case 'promise':
      return typeof m.ok === 'boolean' && isNat(m.promised) && (m.entries === undefined || Array.isArray(m.entries));
    case 'accept':
      return Array.isArray(m.entries) && isNat(m.commit) && isNat(m.seq);
    case 'accepted':
      return typeof m.ok === 'boolean' && isNat(m.promised) && Array.isArray(m.slots) && isNat(m.seq) && isNat(m.firstUnchosen);
    case 'learn':
      return Array.isArray(m.entries) && isNat(m.seq);
    default:
      return false;
  }
}
