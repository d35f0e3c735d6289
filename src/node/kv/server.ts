/**
 * The client port of a bundled key-value node: newline-delimited requests (./protocol.ts) in,
 * replies out, matched by id. `status` and malformed requests are answered here; read, write and
 * cas go to the node's handler under a request id unique to this process, and the node answers
 * them with `answer(rid, result)`, at once or later. Replies given while a connection's batch of
 * lines is being handled go out in one write.
 */
import net from 'node:net';
import { listen } from '../../net/listen.js';
import { parseAddress } from '../plan.js';
import { serveLines } from '../transport.js';
import { parseRequest, type KvRequest, type KvResult, type ParsedRequest, type RequestId } from './protocol.js';

/** Longest request line accepted; a longer one closes the connection. */
const MAX_LINE_BYTES = 1024 * 1024;

export interface KvHandler<R = KvRequest> {
  /** What the node says about itself (a NodeStatus for the key-value systems). */
  status(): unknown;
  /** A client's request (read, write or cas); answer it with `KvServer.answer(rid, ...)`. */
  request(rid: string, req: R): void;
  /** Called after each batch of requests from one connection. */
  afterBatch?(): void;
}

interface Pending {
  socket: net.Socket;
  id: RequestId;
}

export class KvServer<R = KvRequest> {
  private readonly pending = new Map<string, Pending>();
  /** Request ids carry this, so ids of an earlier run of the node never come back. */
  private readonly incarnation = Math.random().toString(36).slice(2, 8);
  private nextConn = 1;
  private batch: { socket: net.Socket; lines: string[] } | undefined;

  private constructor(
    private readonly server: net.Server,
    private readonly handler: KvHandler<R>,
    private readonly parse: (line: string) => ParsedRequest<R>,
  ) {}

  /** Listen on `address` (host:port); rejects when it cannot. */
  static listen(address: string, handler: KvHandler): Promise<KvServer>;
  /** The same for another request language, read from each line by `parse` (the key-value one when absent). */
  static listen<R>(address: string, handler: KvHandler<R>, parse: ((line: string) => ParsedRequest<R>) | undefined): Promise<KvServer<R>>;
  static async listen<R>(address: string, handler: KvHandler<R>, parse?: (line: string) => ParsedRequest<R>): Promise<KvServer<R>> {
    const { host, port } = parseAddress(address);
    const server = net.createServer();
    const kv = new KvServer<R>(server, handler, parse ?? (parseRequest as unknown as (line: string) => ParsedRequest<R>));
    server.on('connection', (socket) => kv.serve(socket));
    await listen(server, port, host);
    return kv;
  }

  /** Reply to the request `rid` (ignored when it was answered already). */
  answer(rid: string, result: KvResult): void {
    const p = this.pending.get(rid);
    if (!p) return;
    this.pending.delete(rid);
    this.write(p.socket, { id: p.id, ...result });
  }

  close(): void {
    this.server.close();
  }

  private serve(socket: net.Socket): void {
    const conn = `${this.incarnation}.${this.nextConn++}`;
    serveLines(socket, MAX_LINE_BYTES, (lines) => {
      const batch = (this.batch = { socket, lines: [] as string[] });
      try {
        for (const line of lines) {
          const parsed = this.parse(line);
          if (parsed.kind === 'status') {
            this.write(socket, { id: parsed.id, type: 'ok', value: this.handler.status() });
          } else if (parsed.kind === 'bad') {
            this.write(socket, { id: parsed.id, type: 'fail', error: 'bad-request', message: parsed.message });
          } else {
            const rid = `${conn}:${String(parsed.id)}`;
            this.pending.set(rid, { socket, id: parsed.id });
            this.handler.request(rid, parsed.req);
          }
        }
        this.handler.afterBatch?.();
      } finally {
        this.batch = undefined;
        if (batch.lines.length > 0 && socket.writable) socket.write(`${batch.lines.join('\n')}\n`);
      }
    });
  }

  private write(socket: net.Socket, body: object): void {
    if (this.batch?.socket === socket) this.batch.lines.push(JSON.stringify(body));
    else if (!socket.destroyed && socket.writable) socket.write(JSON.stringify(body) + '\n');
  }
}
