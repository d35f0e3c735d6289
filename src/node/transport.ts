/**
 * Message passing between bundled nodes over TCP, shaped so the fault proxy's partitions mean
 * what they say:
 *
 * - A node SENDS only on the connection it dials to each peer's address in `plan.peers` (the
 *   proxy), and only READS from connections others dial to it. Nothing is ever written to an
 *   inbound socket; a reply is a new message on the responder's own outbound connection. So a
 *   one-way partition at the proxy cuts exactly one direction.
 * - Framing is newline-delimited JSON; every message carries `from`, and, when the node keeps
 *   a message trace (src/node/message-trace.ts), `mid`, the id both ends record it under.
 * - Delivery is best effort, like the network: while a link is down messages wait in a bounded
 *   queue (oldest dropped first); a link that accepts bytes but never drains them (a black-holed
 *   connection) is cut once its kernel-side backlog passes a cap, then redialled with backoff.
 *   Protocols on top (Raft, Paxos, ...) must tolerate loss, duplication after reconnects, and
 *   reordering across reconnects.
 */
import net from 'node:net';
import { listen } from '../net/listen.js';
import type { Logger } from './logger.js';
import type { MessageTrace } from './message-trace.js';
import { parseAddress } from './plan.js';

/** A message as delivered: the sender's id plus the sender's fields. */
/** Omit applied to each member of a union (a plain Omit would merge the union into one shape). */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A peer message as its sender writes it: the transport stamps `from` on it. */
export type Unsent<M> = DistributiveOmit<M, 'from'>;

export interface Envelope {
  from: string;
  [field: string]: unknown;
}

export interface TransportOptions {
  /** This node's id, stamped as `from` on everything it sends. */
  self: string;
  /** host:port to listen on for inbound peer connections. */
  listen: string;
  /** host:port to dial for each peer (entries for `self` are ignored). */
  peers: Readonly<Record<string, string>>;
  /** Called for every well-formed inbound message. */
  onMessage: (msg: Envelope) => void;
  logger?: Logger;
  /** Records every message sent, received and dropped, for the report's message diagram. */
  trace?: MessageTrace;
  /** Messages kept per peer while its link is down; default 1024. */
  maxQueue?: number;
  /** Cap on bytes buffered on one outbound socket before it is cut; default 4 MiB. */
  maxBufferedBytes?: number;
  /** Cap on one inbound line; a longer one closes that connection. Default 64 MiB. */
  maxLineBytes?: number;
  /** Reconnect backoff bounds in ms; default 50 and 200. */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /** A dial that has not connected in this long is abandoned and retried; default 1000 ms. */
  connectTimeoutMs?: number;
}

export interface LinkStats {
  connected: boolean;
  queued: number;
  buffered: number;
  sent: number;
  dropped: number;
  reconnects: number;
}

export class Transport {
  private readonly links = new Map<string, PeerLink>();
  private readonly inbound = new Set<net.Socket>();
  private closed = false;

  private constructor(
    private readonly opts: TransportOptions,
    private readonly server: net.Server,
  ) {
    for (const [peer, addr] of Object.entries(opts.peers)) {
      if (peer === opts.self) continue;
      this.links.set(peer, new PeerLink(peer, addr, opts));
    }
  }

  /** Listen on `opts.listen` and start dialling every peer. */
  static async start(opts: TransportOptions): Promise<Transport> {
    const { host, port } = parseAddress(opts.listen);
    const server = net.createServer();
    const transport = new Transport(opts, server);
    server.on('connection', (socket) => transport.accept(socket));
    await listen(server, port, host);
    server.on('error', (err) => opts.logger?.error('peer listener error', { error: err.message }));
    for (const link of transport.links.values()) link.start();
    return transport;
  }

  /** The port actually listened on (useful when `listen` asked for port 0). */
  port(): number {
    const addr = this.server.address();
    return typeof addr === 'object' && addr ? addr.port : 0;
  }

  /** Send `msg` to `to`; false when it was dropped at once (unknown peer or closed). */
  send(to: string, msg: object): boolean {
    if (this.closed) return false;
    if (to === this.opts.self) {
      const copy = JSON.parse(JSON.stringify({ ...msg, from: this.opts.self })) as Envelope;
      queueMicrotask(() => this.opts.onMessage(copy));
      return true;
    }
    const link = this.links.get(to);
    if (!link) {
      this.opts.logger?.every(`unknown-peer-${to}`, 5000, 'warn', 'send to unknown peer', { to });
      return false;
    }
    const trace = this.opts.trace;
    if (!trace) return link.send({ line: JSON.stringify({ ...msg, from: this.opts.self }) + '\n' });
    const id = trace.nextId();
    const body = { ...msg, from: this.opts.self, mid: id };
    trace.sent(to, id, body);
    return link.send({ line: JSON.stringify(body) + '\n', id, body });
  }

  stats(): Record<string, LinkStats> {
    const out: Record<string, LinkStats> = {};
    for (const [peer, link] of this.links) out[peer] = link.stats();
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const link of this.links.values()) link.close();
    for (const socket of this.inbound) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    // The trace records this transport's traffic, so it ends with it.
    this.opts.trace?.close();
  }

  private accept(socket: net.Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    this.inbound.add(socket);
    const splitter = new LineSplitter(this.opts.maxLineBytes ?? 64 * 1024 * 1024);
    socket.on('data', (chunk: Buffer) => {
      let lines: string[];
      try {
        lines = splitter.push(chunk);
      } catch (err) {
        this.opts.logger?.warn('inbound peer connection dropped', { error: (err as Error).message });
        socket.destroy();
        return;
      }
      for (const line of lines) this.deliver(line);
    });
    socket.on('error', () => {});
    socket.on('close', () => this.inbound.delete(socket));
  }

  private deliver(line: string): void {
    if (line.length === 0) return;
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      this.opts.logger?.every('bad-json', 5000, 'warn', 'malformed peer message dropped');
      return;
    }
    if (typeof msg !== 'object' || msg === null || typeof (msg as Envelope).from !== 'string') {
      this.opts.logger?.every('bad-envelope', 5000, 'warn', 'peer message without from dropped');
      return;
    }
    const mid = (msg as Envelope).mid;
    if (this.opts.trace && typeof mid === 'string') this.opts.trace.received((msg as Envelope).from, mid, msg as Envelope);
    try {
      this.opts.onMessage(msg as Envelope);
    } catch (err) {
      this.opts.logger?.error('peer message handler failed', { error: (err as Error).stack ?? String(err) });
    }
  }
}

/** A message on its way out: the framed line, and its id and body when it is traced. */
interface Outgoing {
  line: string;
  id?: string;
  body?: Record<string, unknown>;
}

/** One outbound connection to one peer, redialled forever until closed. */
class PeerLink {
  private socket: net.Socket | undefined;
  private connected = false;
  private closed = false;
  private queue: Outgoing[] = [];
  private attempts = 0;
  private timer: NodeJS.Timeout | undefined;
  private counters = { sent: 0, dropped: 0, reconnects: 0 };
  private readonly maxQueue: number;
  private readonly maxBuffered: number;

  constructor(
    private readonly peer: string,
    private readonly addr: string,
    private readonly opts: TransportOptions,
  ) {
    this.maxQueue = opts.maxQueue ?? 1024;
    this.maxBuffered = opts.maxBufferedBytes ?? 4 * 1024 * 1024;
  }

  start(): void {
    this.dial();
  }

  send(out: Outgoing): boolean {
    if (this.closed) return false;
    const socket = this.socket;
    if (this.connected && socket) {
      if (socket.writableLength > this.maxBuffered) {
        // The other end (or the proxy) accepts the connection but does not drain it.
        this.opts.logger?.warn('peer link backlog over cap; cutting it', {
          peer: this.peer,
          buffered: socket.writableLength,
        });
        this.drop(out);
        socket.destroy();
        return false;
      }
      socket.write(out.line);
      this.counters.sent++;
      return true;
    }
    this.queue.push(out);
    if (this.queue.length > this.maxQueue) this.drop(this.queue.shift()!);
    return true;
  }

  private drop(out: Outgoing): void {
    this.counters.dropped++;
    if (out.id !== undefined && out.body) this.opts.trace?.dropped(this.peer, out.id, out.body);
  }

  stats(): LinkStats {
    return {
      connected: this.connected,
      queued: this.queue.length,
      buffered: this.socket?.writableLength ?? 0,
      ...this.counters,
    };
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.socket?.destroy();
    this.queue = [];
  }

  private dial(): void {
    if (this.closed) return;
    const { host, port } = parseAddress(this.addr);
    const socket = net.connect({ host, port });
    this.socket = socket;
    socket.setNoDelay(true);
    const connectTimer = setTimeout(() => socket.destroy(), this.opts.connectTimeoutMs ?? 1000);
    socket.on('connect', () => {
      clearTimeout(connectTimer);
      if (this.closed) return;
      this.connected = true;
      if (this.attempts > 0) this.opts.logger?.debug('peer link up', { peer: this.peer });
      this.attempts = 0;
      const queued = this.queue;
      this.queue = [];
      for (const out of queued) this.send(out);
    });
    // Peers never write to us on this connection; discard anything that arrives.
    socket.on('data', () => {});
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(connectTimer);
      if (this.socket === socket) {
        this.socket = undefined;
        this.connected = false;
      }
      this.scheduleDial();
    });
  }

  private scheduleDial(): void {
    if (this.closed || this.timer) return;
    const min = this.opts.reconnectMinMs ?? 50;
    const max = this.opts.reconnectMaxMs ?? 200;
    const base = Math.min(max, min * 2 ** Math.min(this.attempts, 8));
    const delay = base / 2 + Math.random() * (base / 2);
    this.attempts++;
    this.counters.reconnects++;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.dial();
    }, delay);
  }
}

/** Splits a byte stream into newline-terminated UTF-8 lines (without the newline). */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;

  constructor(private readonly maxLineBytes = 64 * 1024 * 1024) {}

  /** Feed a chunk; returns the lines it completed. Throws when a line exceeds the cap. */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl === -1) break;
      const piece = chunk.subarray(start, nl);
      if (this.size === 0) {
        lines.push(piece.toString('utf8'));
      } else {
        this.parts.push(piece);
        lines.push(Buffer.concat(this.parts).toString('utf8'));
        this.parts = [];
        this.size = 0;
      }
      start = nl + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.size += rest.length;
      if (this.size > this.maxLineBytes) {
        this.parts = [];
        this.size = 0;
        throw new Error(`line longer than ${this.maxLineBytes} bytes`);
      }
      // Copy: the caller's chunk may be reused.
      this.parts.push(Buffer.from(rest));
    }
    return lines;
  }
}

/**
 * Serve a newline-delimited request stream: `handle` gets each batch of complete, non-empty
 * lines as it arrives; a line longer than `maxLineBytes` ends the connection. Client ports of
 * bundled nodes use this, so every one treats framing and oversized input alike.
 */
export function serveLines(socket: net.Socket, maxLineBytes: number, handle: (lines: string[]) => void): void {
  socket.setNoDelay(true);
  socket.on('error', () => undefined);
  const splitter = new LineSplitter(maxLineBytes);
  socket.on('data', (chunk: Buffer) => {
    let lines: string[];
    try {
      lines = splitter.push(chunk);
    } catch {
      socket.destroy();
      return;
    }
    handle(lines.filter((line) => line.trim() !== ''));
  });
}
