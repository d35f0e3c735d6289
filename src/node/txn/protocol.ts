/**
 * What the bundled transactional nodes (txn-2pc, txn-3pc) say: to clients, the bundled nodes'
 * newline-delimited JSON (src/node/kv/protocol.ts) with one request, a transaction; to each other,
 * the messages every commit protocol here shares (prepare, vote, decide), to which each protocol
 * adds its own.
 *
 *   → {"id":1,"f":"txn","value":[["append",3,7],["r",4,null]]}
 *   ← {"id":1,"type":"ok","value":[["append",3,7],["r",4,[1,7]]]}     committed
 *   ← {"id":1,"type":"fail","error":"aborted","message":"n3 refused: 4 is locked"}   surely not
 *   → {"id":2,"f":"txn","registers":true,"value":[["w",3,7],["r",4,null]]}          rw-register
 *   ← {"id":2,"type":"ok","value":[["w",3,7],["r",4,5]]}
 *   → {"id":3,"f":"txn","registers":true,"value":[["add","a",-5],["add","b",5]]}   bank transfer
 *   ← {"id":3,"type":"fail","error":"aborted","message":"n2 refused: \"a\" holds 3, cannot add -5"}
 *   → {"id":4,"f":"status"}     ← {"id":4,"type":"ok","value":{"id":"n1","incarnation":1,"active":1,"prepared":0}}
 *
 * Any node takes any transaction and coordinates it; the client never needs to know where keys
 * live. A read's `null` in the reply means the key is empty. `add` (registers only) adds a number
 * to a register (absent counts as 0) and is refused when the result would be negative: a bank
 * account's overdraft.
 */
import type { Invocation } from '../../api/client.js';
import { TXN_F, type TxnScalar } from '../../api/txn.js';
import { parseRequestWith, type ParsedRequest } from '../kv/protocol.js';

export type Key = TxnScalar;
export type AppendOp = ['append', Key, Key];
export type WriteOp = ['w', Key, Key];
/** Add a number to a register; refused if the register would go negative. */
export type AddOp = ['add', Key, number];
/** A read: `null` when sent; answered with the list (list-append) or the value (registers), `null` when empty. */
export type ReadOp = ['r', Key, Key[] | Key | null];
export type Mop = AppendOp | WriteOp | AddOp | ReadOp;

/** What a transaction's keys hold: lists it appends to (list-append) or registers it sets (rw-register, bank). */
export type Model = 'list' | 'register';

export interface TxnRequest {
  f: 'txn';
  model: Model;
  value: Mop[];
}

/** A request line's body: register transactions say `"registers": true`. (A type, not an interface, so it is a WireRequest.) */
export type TxnWire = {
  f: 'txn';
  value: Mop[];
  registers?: true;
};

const isScalar = (x: unknown): x is Key => typeof x === 'string' || typeof x === 'boolean' || (typeof x === 'number' && Number.isFinite(x));

/** A micro-operation as a client sends it (reads with `null`), or undefined. */
function asMop(x: unknown): Mop | undefined {
  if (!Array.isArray(x) || x.length !== 3 || !isScalar(x[1])) return undefined;
  if ((x[0] === 'append' || x[0] === 'w') && isScalar(x[2])) return [x[0], x[1], x[2]];
  if (x[0] === 'add' && typeof x[2] === 'number' && Number.isFinite(x[2])) return ['add', x[1], x[2]];
  if (x[0] === 'r' && x[2] === null) return ['r', x[1], null];
  return undefined;
}

const WRITES_OF: Record<Model, readonly Mop[0][]> = { list: ['append'], register: ['w', 'add'] };

/** Check one request line. */
export function parseTxnRequest(line: string): ParsedRequest<TxnRequest> {
  return parseRequestWith<TxnRequest>(line, (r, id) => {
    if (r.f !== TXN_F) return { kind: 'bad', id, message: `unknown f ${JSON.stringify(r.f)}` };
    if (!Array.isArray(r.value) || r.value.length === 0) return { kind: 'bad', id, message: 'a txn needs a non-empty list of micro-operations' };
    const model: Model = r.registers === true ? 'register' : 'list';
    const writes = WRITES_OF[model];
    const mops = r.value.map(asMop);
    if (mops.some((m) => m === undefined || (m[0] !== 'r' && !writes.includes(m[0])))) {
      const shapes = writes.map((w) => `["${w}", key, ${w === 'add' ? 'number' : 'value'}]`).join(', ');
      return { kind: 'bad', id, message: `each micro-operation is one of ${shapes} or ["r", key, null]${model === 'list' ? ' (registers: true for w and add)' : ''}` };
    }
    return { kind: 'kv', id, req: { f: 'txn', model, value: mops as Mop[] } };
  });
}

/** The request for a `list-append` workload operation. */
export function txnRequest(op: Invocation): TxnWire {
  if (op.f !== TXN_F || !Array.isArray(op.value)) throw new Error(`the transaction client cannot do "${op.f}"`);
  return { f: 'txn', value: op.value as Mop[] };
}

/** The request for an `rw-register` workload operation. */
export function registerTxnRequest(op: Invocation): TxnWire {
  return { ...txnRequest(op), registers: true };
}

/** A micro-operation as a participant gets it: its position in the transaction, and itself. */
export type ShardOp = [number, Mop];

/** Coordinator → participant: lock, read, make durable, vote (3PC's can-commit). */
export interface PrepareMsg {
  type: 'prepare';
  txn: string;
  model: Model;
  ops: ShardOp[];
  /**
   * When the coordinator began the transaction, on its monotonic clock: the transaction's age
   * for the participants' lock waits (./participant.ts: younger transactions wait for older
   * ones). Any total order of transactions keeps waits free of deadlocks; begin times (clocks of
   * processes started together) make it roughly first come, first served.
   */
  ts: number;
}

/** Participant → coordinator: the vote, with what the shard's reads returned (by position). */
export interface VoteMsg {
  type: 'vote';
  txn: string;
  yes: boolean;
  reads: [number, ReadOp[2]][];
  /** Why a participant voted no. */
  why?: string;
}

/** Coordinator → participant: the outcome. */
export interface DecideMsg {
  type: 'decide';
  txn: string;
  commit: boolean;
}

/** The messages both protocols share. */
export type CommonMsg = PrepareMsg | VoteMsg | DecideMsg;

/**
 * A shape check of a peer message read off the network: its type must be one of `types`;
 * prepare, vote and decide are checked in full, any other type needs only a `txn`.
 */
export function isTxnPeerMsg(x: unknown, types: readonly string[]): boolean {
  if (typeof x !== 'object' || x === null) return false;
  const m = x as Record<string, unknown>;
  if (typeof m.from !== 'string' || typeof m.txn !== 'string' || typeof m.type !== 'string' || !types.includes(m.type)) return false;
  switch (m.type) {
    case 'prepare':
      return (m.model === 'list' || m.model === 'register') && typeof m.ts === 'number' && Array.isArray(m.ops) && m.ops.every((o) => Array.isArray(o) && typeof o[0] === 'number' && asMop(o[1]) !== undefined);
    case 'vote':
      return typeof m.yes === 'boolean' && Array.isArray(m.reads);
    case 'decide':
      return typeof m.commit === 'boolean';
    default:
      return true;
  }
}
