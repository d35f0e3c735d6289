/**
 * faultline's clients for Maelstrom nodes. A client talks to its node's shim over the bundled
 * nodes' client port (src/node/kv/): each operation becomes a Maelstrom request body, which the
 * shim hands to the node as a message from this client (`c<process + 1>`, with a `msg_id` fresh
 * for this client), and the reply body the node sends back (matched by `in_reply_to`) decides
 * the outcome:
 *
 * - `<type>_ok`: ok, with a read's value;
 * - an error with a definite code (./protocol.ts): fail, the operation surely did not happen;
 *   except that error 20 (key-does-not-exist) on a lin-kv read is a read of the absent key, ok
 *   with null, which is how faultline's register model writes an absent key;
 * - an indefinite error (0 timeout, 13 crash, a code Maelstrom does not define), any other reply,
 *   or no reply within the operation's timeout: thrown, so the runner records `info`.
 *
 * A shim that cannot be reached at all (the request never sent) is a definite fail, as for every
 * bundled node (src/node/kv/client.ts).
 */
import type { ClientContext, ClientFactory, Invocation } from '../../src/api/client.js';
import type { Completion } from '../../src/api/op.js';
import { IndeterminateError, KvClient } from '../../src/node/kv/client.js';
import type { KvResponse } from '../../src/node/kv/protocol.js';
import { classifyError, KEY_DOES_NOT_EXIST, type MaelstromBody } from './protocol.js';
import type { RpcRequest } from './rpc.js';

/** How one faultline workload's operations are Maelstrom requests, and how replies complete them. */
export interface RequestMapping {
  /** The request body for `op`, without its msg_id. */
  body(op: Invocation): MaelstromBody;
  /** The completion of `op` from a `<type>_ok` reply. */
  ok(op: Invocation, reply: MaelstromBody): Completion;
  /** A definite error that still completes `op` ok (lin-kv's read of an absent key), or undefined. */
  okOnError?(op: Invocation, code: unknown): Completion | undefined;
}

/** Maelstrom's lin-kv keys are integers: a faultline key written in decimal digits is sent as its number. */
export function maelstromKey(key: string | undefined): string | number {
  const k = key ?? '0';
  return /^(0|[1-9]\d{0,14})$/.test(k) ? Number(k) : k;
}

/** Maelstrom's `lin-kv` (read / write / cas on keys) for faultline's `register` workload. */
export const linKv: RequestMapping = {
  body(op) {
    const key = maelstromKey(op.key);
    switch (op.f) {
      case 'read':
        return { type: 'read', key };
      case 'write':
        return { type: 'write', key, value: op.value };
      case 'cas': {
        const v = op.value;
        if (!Array.isArray(v) || v.length !== 2) throw new Error(`cas needs [from, to], got ${JSON.stringify(v)}`);
        return { type: 'cas', key, from: v[0], to: v[1] };
      }
      default:
        throw new Error(`the lin-kv client cannot do "${op.f}"`);
    }
  },
  ok: (op, reply) => ({ type: 'ok', value: op.f === 'read' ? (reply.value ?? null) : op.value }),
  okOnError: (op, code) => (op.f === 'read' && code === KEY_DOES_NOT_EXIST ? { type: 'ok', value: null } : undefined),
};

/** Maelstrom's `g-counter` and `pn-counter` (add a delta, read) for faultline's `counter` workload. */
export const counter: RequestMapping = {
  body(op) {
    if (op.f === 'read' || op.f === 'final-read') return { type: 'read' };
    if (op.f === 'add' && typeof op.value === 'number') return { type: 'add', delta: op.value };
    throw new Error(`the counter client cannot do "${op.f}" with ${JSON.stringify(op.value)}`);
  },
  ok: (op, reply) => ({ type: 'ok', value: op.f === 'add' ? op.value : reply.value }),
};

/**
 * Maelstrom's `g-set` (add an element, read the set) for faultline's `set` workload. Maelstrom's
 * set is one per cluster, so the run has one key (the system's check() asks for --key-count 1).
 */
export const gSet: RequestMapping = {
  body(op) {
    if (op.f === 'add') return { type: 'add', element: op.value };
    if (op.f === 'read') return { type: 'read' };
    throw new Error(`the g-set client cannot do "${op.f}"`);
  },
  ok: (op, reply) => ({ type: 'ok', value: op.f === 'add' ? op.value : (reply.value ?? null) }),
};

/** Maelstrom's `broadcast` (topology, broadcast a value, read the values received) for faultline's `broadcast` workload. */
export const broadcast: RequestMapping = {
  body(op) {
    switch (op.f) {
      case 'topology':
        return { type: 'topology', topology: op.value };
      case 'broadcast':
        return { type: 'broadcast', message: op.value };
      case 'read':
      case 'final-read':
        return { type: 'read' };
      default:
        throw new Error(`the broadcast client cannot do "${op.f}"`);
    }
  },
  ok: (op, reply) => ({ type: 'ok', value: op.f === 'read' || op.f === 'final-read' ? (reply.messages ?? null) : op.value }),
};

/**
 * Maelstrom's `txn-list-append` for faultline's `list-append` workload: a transaction's
 * micro-operations (`["append", k, v]`, `["r", k, null]`) are Maelstrom's as they are; the
 * `txn_ok` reply carries them with the reads filled in. Error 30 (txn-conflict) is a definite
 * abort, a fail.
 */
export const txnListAppend: RequestMapping = {
  body(op) {
    if (op.f !== 'txn' || !Array.isArray(op.value)) throw new Error(`the txn-list-append client cannot do "${op.f}"`);
    return { type: 'txn', txn: op.value };
  },
  ok: (_op, reply) => ({ type: 'ok', value: reply.txn ?? null }),
};

/** Maelstrom's `unique-ids` (generate) for faultline's `unique-ids` workload: the id is the result. */
export const uniqueIds: RequestMapping = {
  body: () => ({ type: 'generate' }),
  ok: (_op, reply) => ({ type: 'ok', value: reply.id ?? null }),
};

/** Maelstrom's `echo` for faultline's `echo` workload: what came back is the result. */
export const echo: RequestMapping = {
  body: (op) => ({ type: 'echo', echo: op.value }),
  ok: (_op, reply) => ({ type: 'ok', value: reply.echo ?? null }),
};

/**
 * The outcome of `op`, whose request body was `sent`, from the shim's answer `res` (./shim.ts):
 * `ok` carries the node's reply body; a `fail` is the shim refusing the request before the node
 * saw it; anything else is unknown.
 * @throws IndeterminateError when the outcome is unknown
 */
export function completion(mapping: RequestMapping, op: Invocation, sent: MaelstromBody, res: KvResponse): Completion {
  if (res.type === 'fail') return { type: 'fail', value: op.value, error: res.error };
  if (res.type !== 'ok') throw new IndeterminateError(res.type === 'info' ? res.error : `unexpected answer from the shim ${JSON.stringify(res)}`);
  const reply = res.value as MaelstromBody;
  if (reply.type === `${sent.type}_ok`) return mapping.ok(op, reply);
  if (reply.type === 'error') {
    const { definite, code, error } = classifyError(reply);
    if (!definite) throw new IndeterminateError(error);
    return mapping.okOnError?.(op, code) ?? { type: 'fail', value: op.value, error };
  }
  throw new IndeterminateError(`the node answered a ${sent.type} request with ${JSON.stringify(reply).slice(0, 200)}`);
}

/** The Maelstrom client id of a faultline client process. */
export const clientId = (process: number): string => `c${Math.max(0, process) + 1}`;

/** A client factory speaking `mapping`: one Maelstrom client id per faultline process, msg_ids counted per client. */
export function maelstromClient(mapping: RequestMapping): ClientFactory {
  return {
    async open(ctx: ClientContext) {
      const src = clientId(ctx.process);
      let next = 1;
      const request = (op: Invocation): RpcRequest => ({ f: 'rpc', value: { src, body: { ...mapping.body(op), msg_id: next++ } } });
      return new KvClient(ctx, request, (op, req, res) => completion(mapping, op, (req as RpcRequest).value.body, res));
    },
  };
}
