/**
 * Messages between primary-backup nodes (Zab's phases, in the names used here): a node running
 * for primary probes, then announces a new epoch (NEWEPOCH) and collects from a majority their
 * epochs and histories (ACKEPOCH); the new primary syncs each backup to its history (NEWLEADER
 * with a diff, here `sync`), then broadcasts proposals in order (`append`, also the heartbeat)
 * and the commit point with them. Every reply is a message of its own on the replier's outbound
 * link (src/node/transport.ts).
 */
import type { Command } from '../../src/node/kv/state-machine.js';

/** A history entry: a command and the epoch whose primary proposed it. */
export interface Entry {
  e: number;
  c: Command;
}

interface Base {
  from: string;
  epoch: number;
}

/** Would you join `epoch`? (Changes nothing, so a node cut off does not inflate epochs.) */
export interface Probe extends Base {
  type: 'probe';
}

export interface ProbeReply extends Base {
  type: 'probe-reply';
  ok: boolean;
  /** The replier's accepted epoch. */
  accepted: number;
}

/** Join `epoch` under me; send me your history after my commit point `commit`. */
export interface NewEpoch extends Base {
  type: 'newepoch';
  commit: number;
}

/** The answer to a new epoch: a promise to ignore older epochs, with what the replier holds. */
export interface AckEpoch extends Base {
  type: 'ackepoch';
  ok: boolean;
  accepted: number;
  /** The epoch of the last primary the replier synced with. */
  current: number;
  last: number;
  commit: number;
  /** The replier's entries after the commit point the candidate named. */
  entries: Entry[];
}

/** NEWLEADER with a diff: drop everything after `base`, then take `entries` (from base + 1). */
export interface Sync extends Base {
  type: 'sync';
  base: number;
  entries: Entry[];
  commit: number;
  seq: number;
}

/** Proposals after index `prev`, the commit point, and the heartbeat round `seq`. */
export interface Append extends Base {
  type: 'append';
  prev: number;
  entries: Entry[];
  commit: number;
  seq: number;
}

/**
 * A backup's answer to a sync or an append, in its own epoch: `epoch` is the epoch it accepted,
 * `synced` whether it has synced with that epoch's primary, `last` its last index. `gap` says the
 * append did not fit (entries are missing before it).
 */
export interface Ack extends Base {
  type: 'ack';
  synced: boolean;
  last: number;
  commit: number;
  seq: number;
  gap?: true;
}

export type PbMessage = Probe | ProbeReply | NewEpoch | AckEpoch | Sync | Append | Ack;

const isNat = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** A light shape check for messages read off the network. */
export function isPbMessage(x: unknown): x is PbMessage {
  if (typeof x !== 'object' || x === null) return false;
  const m = x as Record<string, unknown>;
  if (typeof m.from !== 'string' || !isNat(m.epoch)) return false;
  switch (m.type) {
    case 'probe':
      return true;
    case 'probe-reply':
      return typeof m.ok === 'boolean' && isNat(m.accepted);
    case 'newepoch':
      return isNat(m.commit);
    case 'ackepoch':
      return typeof m.ok === 'boolean' && isNat(m.accepted) && isNat(m.current) && isNat(m.last) && isNat(m.commit) && Array.isArray(m.entries);
    case 'sync':
      return isNat(m.base) && Array.isArray(m.entries) && isNat(m.commit) && isNat(m.seq);
    case 'append':
      return isNat(m.prev) && Array.isArray(m.entries) && isNat(m.commit) && isNat(m.seq);
    case 'ack':
      return typeof m.synced === 'boolean' && isNat(m.last) && isNat(m.commit) && isNat(m.seq);
    default:
      return false;
  }
}
