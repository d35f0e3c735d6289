/**
 * The raft-kv client protocol: newline-delimited JSON over TCP on a node's `clientListen`.
 *
 *   → {"id":1,"f":"read","key":"k"}
 *   → {"id":2,"f":"write","key":"k","value":3}
 *   → {"id":3,"f":"cas","key":"k","value":[3,4]}            (expected, new)
 *   → {"id":4,"f":"status"}
 *   ← {"id":1,"type":"ok","value":3}                         (read: null when absent)
 *   ← {"id":2,"type":"fail","error":"not-leader","leader":"n2"}   definite: not executed
 *   ← {"id":3,"type":"fail","error":"precondition-failed"}        definite: cas refused
 *   ← {"id":2,"type":"info","error":"timeout"}                    outcome unknown
 *   ← {"id":4,"type":"ok","value":{"id":"n1","role":"leader","term":3,"leader":"n1","commitIndex":9}}
 *
 * Replies may come out of order; match them by id. This file also holds the client side of a
 * connection (used by the faultline client and the SystemDef hooks).
 */
import net from 'node:net';
import { LineSplitter } from '../../src/node/transport.js';
import { parseAddress } from '../../src/node/plan.js';
import type { Value } from './log.js';
import { isValue } from './state-machine.js';

export type KvFunction = 'read' | 'write' | 'cas';

export type KvRequest =
  | { f: 'read'; key: string }
  | { f: 'write'; key: string; value: Value }
  | { f: 'cas'; key: string; value: [Value, Value] };

export type Role = 'follower' | 'candidate' | 'leader';

export interface NodeStatus {
  id: string;
  role: Role;
  term: number;
  leader: string | null;
  commitIndex: number;
}

/** The body of a reply, without its id. */
export type KvResult =
  | { type: 'ok'; value: unknown }
  | { type: 'fail'; error: 'not-leader'; leader?: string }
  | { type: 'fail'; error: 'precondition-failed' }
  | { type: 'fail'; error: 'bad-request'; message: string }
  | { type: 'info'; error: string };

export type RequestId = string | number;
export type KvResponse = KvResult & { id: RequestId };

export type ParsedRequest =
  | { kind: 'kv'; id: RequestId; req: KvRequest }
  | { kind: 'status'; id: RequestId }
  | { kind: 'bad'; id: RequestId | null; message: string };

/** Check one request line from a client. */
export function parseRequest(line: string): ParsedRequest {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { kind: 'bad', id: null, message: 'not JSON' };
  }
  if (typeof raw !== 'object' || raw === null) return { kind: 'bad', id: null, message: 'not an object' };
  const r = raw as Record<string, unknown>;
  const id = typeof r.id === 'string' || typeof r.id === 'number' ? r.id : null;
  if (id === null) return { kind: 'bad', id: null, message: 'missing id' };
  if (r.f === 'status') return { kind: 'status', id };
  if (typeof r.key !== 'string') return { kind: 'bad', id, message: 'key must be a string' };
  const key = r.key;
  switch (r.f) {
    case 'read':
      return { kind: 'kv', id, req: { f: 'read', key } };
    case 'write':
      if (!isValue(r.value)) return { kind: 'bad', id, message: 'value must be a number or string' };
      return { kind: 'kv', id, req: { f: 'write', key, value: r.value } };
    case 'cas': {
      const v = r.value;
      if (!Array.isArray(v) || v.length !== 2 || !(v[0] === null || isValue(v[0])) || !isValue(v[1])) {
        return { kind: 'bad', id, message: 'cas value must be [expected, new]' };
      }
      return { kind: 'kv', id, req: { f: 'cas', key, value: [v[0] as Value, v[1] as Value] } };
    }
    default:
      return { kind: 'bad', id, message: `unknown f ${JSON.stringify(r.f)}` };
  }
}

/** Thrown when a call ends without a reply (timeout, connection lost, aborted). */
export class ConnectionError extends Error {
  override name = 'ConnectionError';
}

type Waiter = { resolve: (r: KvResponse) => void; reject: (e: Error) => void };

/** One client connection to a node, with replies matched to requests by id. */
export class KvConnection {
  private nextId = 1;
  private readonly waiting = new Map<RequestId, Waiter>();
  private broken: Error | undefined;

  private constructor(
    readonly address: string,
    private readonly socket: net.Socket,
  ) {
    const splitter = new LineSplitter(16 * 1024 * 1024);
    socket.on('data', (chunk: Buffer) => {
      let lines: string[];
      try {
        lines = splitter.push(chunk);
      } catch (err) {
        this.fail(err as Error);
        return;
      }
      for (const line of lines) this.onLine(line);
    });
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new ConnectionError(`connection to ${address} closed`)));
  }

  /** Dial `address`; rejects on error, abort or after `timeoutMs`. */
  static connect(address: string, timeoutMs: number, signal?: AbortSignal): Promise<KvConnection> {
    const { host, port } = parseAddress(address);
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new ConnectionError('aborted'));
      const socket = net.connect({ host, port });
      socket.setNoDelay(true);
      const done = (err?: Error): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        socket.off('error', onError);
        if (err) {
          socket.destroy();
          reject(err);
        } else {
          resolve(new KvConnection(address, socket));
        }
      };
      const onAbort = (): void => done(new ConnectionError('aborted'));
      const onError = (e: Error): void => done(new ConnectionError(`connect ${address}: ${e.message}`));
      const timer = setTimeout(() => done(new ConnectionError(`connect ${address}: timed out`)), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('error', onError);
      socket.once('connect', () => done());
    });
  }

  get isBroken(): boolean {
    return this.broken !== undefined;
  }

  /** Send one request and wait for its reply; rejects with ConnectionError without one. */
  call(body: KvRequest | { f: 'status' }, timeoutMs: number, signal?: AbortSignal): Promise<KvResponse> {
    if (this.broken) return Promise.reject(this.broken);
    if (signal?.aborted) return Promise.reject(new ConnectionError('aborted'));
    const id = this.nextId++;
    return new Promise<KvResponse>((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.waiting.delete(id);
      };
      const onAbort = (): void => {
        finish();
        reject(new ConnectionError('aborted'));
      };
      const timer = setTimeout(() => {
        finish();
        reject(new ConnectionError(`no reply from ${this.address} within ${timeoutMs} ms`));
      }, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.set(id, {
        resolve: (r) => {
          finish();
          resolve(r);
        },
        reject: (e) => {
          finish();
          reject(e);
        },
      });
      this.socket.write(JSON.stringify({ id, ...body }) + '\n');
    });
  }

  close(): void {
    this.fail(new ConnectionError('connection closed by client'));
  }

  private onLine(line: string): void {
    if (line.length === 0) return;
    let msg: KvResponse;
    try {
      msg = JSON.parse(line) as KvResponse;
    } catch {
      this.fail(new ConnectionError(`malformed reply from ${this.address}`));
      return;
    }
    this.waiting.get(msg.id)?.resolve(msg);
  }

  private fail(err: Error): void {
    if (!this.broken) this.broken = err instanceof ConnectionError ? err : new ConnectionError(err.message);
    this.socket.destroy();
    for (const w of [...this.waiting.values()]) w.reject(this.broken);
    this.waiting.clear();
  }
}
