/**
 * The faultline client for the `register` workload on every bundled key-value node (protocol in
 * ./protocol.ts): read / write / cas on string keys.
 *
 * Outcomes follow src/api/client.ts: `ok` when the node says so; `fail` when the node says the
 * operation surely did not happen (`not-leader`, `precondition-failed`, a refused request);
 * a throw for anything else (`info` replies, timeouts, lost connections), which the runner
 * records as `info`. A `not-leader` reply that names the leader is retried once at that
 * leader's address, within the same deadline.
 *
 * A new connection is first checked with a `status` round trip. Through the fault proxy a dead
 * or cut-off node still accepts the TCP connection, so without the check a request sent to it
 * would end as `info`; with it, the request is never sent and the outcome is a definite `fail`
 * (`unreachable`). Only requests actually in flight when a connection breaks end as `info`.
 */
import type { Client, ClientContext, ClientFactory, Invocation } from '../../api/client.js';
import type { Completion } from '../../api/op.js';
import { ConnectionError, KvConnection, type WireRequest } from './connection.js';
import type { KvRequest, KvResponse, Value } from './protocol.js';

export class IndeterminateError extends Error {
  override name = 'IndeterminateError';
}

/** The node could not be reached, so the request was never sent. */
class Unreachable extends Error {
  override name = 'Unreachable';
}

/** Did `exchange` fail because the node could not be reached (so the request surely did not happen)? */
export const isUnreachable = (err: unknown): err is Error => err instanceof Unreachable;

/**
 * Turns a node's reply into the operation's outcome: a Completion, or a throw when the outcome is
 * unknown. The default ({@link kvCompletion}) reads the bundled nodes' `ok` / `fail` / `info`.
 */
export type Interpret = (op: Invocation, req: WireRequest, res: KvResponse) => Completion;

/**
 * The client of a bundled node whose requests `toRequest` makes from operations. An `ok` carries
 * the node's answer for the requests `answers` picks (reads, by default), and the operation's own
 * value for the rest (a write echoes its argument).
 */
export function lineClient(toRequest: (op: Invocation) => WireRequest, answers: (req: WireRequest) => boolean = isRead): ClientFactory {
  return {
    async open(ctx: ClientContext): Promise<Client> {
      return new KvClient(ctx, toRequest, kvCompletion(answers));
    },
  };
}

const isRead = (req: WireRequest): boolean => req.f === 'read';

/**
 * The outcome the bundled nodes' reply states: `ok` (the node's answer for the requests `answers`
 * picks, else the operation's own value), `fail`, or unknown (`info`, thrown).
 */
export function kvCompletion(answers: (req: WireRequest) => boolean = isRead): Interpret {
  return (op, req, res) => {
    switch (res.type) {
      case 'ok':
        return { type: 'ok', value: answers(req) ? (res.value ?? null) : op.value };
      case 'fail':
        return { type: 'fail', value: op.value, error: res.error };
      case 'info':
        throw new IndeterminateError(res.error);
      default:
        throw new IndeterminateError(`unexpected reply ${JSON.stringify(res)}`);
    }
  };
}

export const registerClient: ClientFactory = lineClient(toRequest);

export class KvClient implements Client {
  private readonly conns = new Map<string, KvConnection>();
  private closed = false;

  constructor(
    private readonly ctx: ClientContext,
    private readonly toRequest: (op: Invocation) => WireRequest,
    private readonly interpret: Interpret = kvCompletion(),
  ) {}

  async invoke(op: Invocation, signal: AbortSignal): Promise<Completion> {
    const req = this.toRequest(op);
    let res: KvResponse;
    try {
      res = await this.exchange(req, Date.now() + this.ctx.timeoutMs, signal);
    } catch (err) {
      if (err instanceof Unreachable && !signal.aborted) return { type: 'fail', value: op.value, error: err.message };
      throw err;
    }
    return this.interpret(op, req, res);
  }

  /**
   * Send `req` to this client's node and return the reply, following one `not-leader` redirect
   * within the deadline. Throws when no reply came; `isUnreachable(err)` when the request was
   * never sent.
   */
  async exchange(req: WireRequest, deadline: number, signal: AbortSignal): Promise<KvResponse> {
    const res = await this.call(this.ctx.address, req, deadline, signal);
    if (res.type === 'fail' && res.error === 'not-leader' && res.leader && res.leader !== this.ctx.node) {
      const addr = this.ctx.addresses[res.leader];
      if (addr !== undefined && deadline - Date.now() > 0) return this.call(addr, req, deadline, signal);
    }
    return res;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const conn of this.conns.values()) conn.close();
    this.conns.clear();
  }

  private async call(address: string, req: WireRequest, deadline: number, signal: AbortSignal): Promise<KvResponse> {
    if (this.closed) throw new ConnectionError('client is closed');
    const left = (): number => Math.max(1, deadline - Date.now());
    let conn = this.conns.get(address);
    if (!conn || conn.isBroken) {
      this.conns.delete(address);
      conn = await this.dial(address, left(), signal);
      this.conns.set(address, conn);
    }
    try {
      return await conn.call(req, left(), signal);
    } catch (err) {
      // A timeout may mean the link is black-holed: start afresh next time.
      conn.close();
      this.conns.delete(address);
      throw err;
    }
  }

  /** Connect and check the node answers; Unreachable when it does not. */
  private async dial(address: string, timeoutMs: number, signal: AbortSignal): Promise<KvConnection> {
    let conn: KvConnection | undefined;
    try {
      const deadline = Date.now() + timeoutMs;
      conn = await KvConnection.connect(address, timeoutMs, signal);
      const res = await conn.call({ f: 'status' }, Math.max(1, deadline - Date.now()), signal);
      if (res.type !== 'ok') throw new Error(`status answered ${res.type}`);
      return conn;
    } catch (err) {
      conn?.close();
      throw new Unreachable(`unreachable: ${(err as Error).message}`);
    }
  }
}

function toRequest(op: Invocation): KvRequest {
  const key = op.key ?? 'register';
  switch (op.f) {
    case 'read':
      return { f: 'read', key };
    case 'write':
      return { f: 'write', key, value: op.value as Value };
    case 'cas': {
      const v = op.value;
      if (!Array.isArray(v) || v.length !== 2) throw new Error(`cas needs [expected, new], got ${JSON.stringify(v)}`);
      return { f: 'cas', key, value: [v[0] as Value, v[1] as Value] };
    }
    default:
      throw new Error(`the register client cannot do "${op.f}"`);
  }
}
