/**
 * The client side of one connection to a bundled key-value node (protocol in ./protocol.ts):
 * requests numbered per connection, replies matched to them by id.
 */
import net from 'node:net';
import { parseAddress } from '../plan.js';
import { LineSplitter } from '../transport.js';
import type { KvRequest, KvResponse, RequestId } from './protocol.js';

/** Thrown when a call ends without a reply (timeout, connection lost, aborted). */
export class ConnectionError extends Error {
  override name = 'ConnectionError';
}

/** Any request line of a bundled node's client protocol: `f` names it (`status`, `add`, ...); a system may add fields. */
export interface WireRequest {
  f: string;
  key?: string;
  value?: unknown;
  [field: string]: unknown;
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
  call(body: KvRequest | WireRequest, timeoutMs: number, signal?: AbortSignal): Promise<KvResponse> {
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
