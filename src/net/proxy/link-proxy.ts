/**
 * One directed link of the embedded fault proxy: a TCP listener on 127.0.0.1 that forwards every
 * connection to a target and can, at any moment, black-hole it (a partition that looks like an
 * iptables DROP: connects succeed, then silence) or shape it (latency, jitter, loss as resets,
 * bandwidth). Nodes dial each other only through these, so faultline owns every byte between them.
 */
import net, { type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { LinkShape } from '../../api/net.js';
import type { Rng } from '../../gen/rng.js';
import { parseHostPort } from '../address.js';

/** Bytes queued in one direction of one connection before the proxy stops reading the sender. */
const HIGH_WATER = 512 * 1024;
/** Seconds of traffic a bandwidth limit lets through in one burst. */
const BURST_SECONDS = 0.05;

/** Which way bytes travel on a connection: from the dialler to the target, or back. */
export type Direction = 'up' | 'down';

export interface LinkProxyOptions {
  /** host:port every accepted connection is forwarded to. */
  target: string;
  /** Source of jitter and loss decisions (seed it for reproducible shaping). */
  rng: Rng;
  /** Port to listen on, on 127.0.0.1; 0 (the default) lets the kernel choose. */
  port?: number;
}

/** Counters for results.json, since the proxy started. */
export interface LinkStats {
  /** Connections accepted and forwarded to the target. */
  connections: number;
  /** Connections accepted while blocked and black-holed. */
  blackholed: number;
  /** Connections reset by the loss shape. */
  resets: number;
  /** Bytes forwarded dialler → target. */
  bytesUp: number;
  /** Bytes forwarded target → dialler. */
  bytesDown: number;
  /** Bytes read from black-holed connections and discarded. */
  bytesDropped: number;
  /** Connections open now, forwarded or black-holed. */
  open: number;
}

/** Check a shape's numbers, so a typo fails loudly instead of shaping nonsense. */
export function validateShape(shape: LinkShape): void {
  const { latencyMs = 0, jitterMs = 0, loss = 0, bytesPerSecond } = shape;
  const ok =
    latencyMs >= 0 && jitterMs >= 0 && loss >= 0 && loss <= 1 &&
    (bytesPerSecond === undefined || bytesPerSecond > 0);
  if (!ok) throw new RangeError(`invalid link shape ${JSON.stringify(shape)}`);
}

/** A token bucket that lends: taking more than it holds returns when the debt is paid. */
class TokenBucket {
  private readonly capacity: number;
  private tokens: number;
  private last: number;

  constructor(private readonly rate: number, now: number) {
    this.capacity = Math.max(1, rate * BURST_SECONDS);
    this.tokens = this.capacity;
    this.last = now;
  }

  /** Take `bytes` tokens; returns the time at which they may be sent. */
  take(bytes: number, now: number): number {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.rate) / 1000);
    this.last = now;
    this.tokens -= bytes;
    return this.tokens >= 0 ? now : now + (-this.tokens / this.rate) * 1000;
  }
}

/** What a connection asks of its link, per chunk. */
interface Shaper {
  /** When a chunk may be delivered, or `undefined` when it is lost. */
  releaseTime(dir: Direction, bytes: number, now: number): number | undefined;
  lose(conn: Conn): void;
}

/** One direction of one connection: an order-preserving timed queue with back-pressure. */
class Pipe {
  private queue: { data: Buffer; at: number }[] = [];
  private queued = 0;
  private lastRelease = 0;
  private timer: NodeJS.Timeout | undefined;
  private paused = false;
  private finished = false;
  private dead = false;
  private destroyWhenDone = false;
  /** The sender has ended its side. */
  srcEnded = false;

  constructor(
    private readonly src: Socket,
    private readonly dst: Socket,
    private readonly dir: Direction,
    private readonly shaper: Shaper,
    private readonly conn: Conn,
  ) {
    src.on('data', (chunk: Buffer) => this.onData(chunk));
    src.on('end', () => {
      this.srcEnded = true;
      this.flush();
    });
    dst.on('drain', () => this.flush());
  }

  private onData(chunk: Buffer): void {
    if (this.dead) return;
    const now = performance.now();
    const at = this.shaper.releaseTime(this.dir, chunk.length, now);
    if (at === undefined) return this.shaper.lose(this.conn);
    if (at <= now && this.lastRelease <= now && this.queue.length === 0 && !this.dst.writableNeedDrain) {
      // Nothing queued and nothing to wait for (the usual unshaped case): forward at once.
      this.count(chunk.length);
      this.dst.write(chunk);
      return;
    }
    this.lastRelease = Math.max(this.lastRelease, at);
    this.queue.push({ data: chunk, at: this.lastRelease });
    this.queued += chunk.length;
    this.flush();
  }

  /** Write every chunk that is due, then wait for the next one or for the receiver to drain. */
  private flush(): void {
    if (this.dead) return;
    const now = performance.now();
    while (this.queue.length > 0 && !this.dst.writableNeedDrain) {
      const head = this.queue[0] as { data: Buffer; at: number };
      if (head.at > now) {
        this.timer ??= setTimeout(() => {
          this.timer = undefined;
          this.flush();
        }, Math.max(1, Math.ceil(head.at - now)));
        break;
      }
      this.queue.shift();
      this.queued -= head.data.length;
      this.count(head.data.length);
      this.dst.write(head.data);
    }
    if (this.queue.length === 0 && this.srcEnded && !this.finished) {
      this.finished = true;
      if (this.destroyWhenDone) this.dst.destroySoon();
      else this.dst.end();
    }
    const full = this.queued > HIGH_WATER || this.dst.writableNeedDrain;
    if (full !== this.paused) {
      this.paused = full;
      if (full) this.src.pause();
      else this.src.resume();
    }
  }

  private count(bytes: number): void {
    this.conn.bytes[this.dir] += bytes;
  }

  /** The sender has closed after ending: deliver what is queued, then close the receiver. */
  finishAndClose(): void {
    this.destroyWhenDone = true;
    if (this.finished) this.dst.destroySoon();
    else this.flush();
  }

  /** The receiver is gone: drop the queue and discard whatever the sender still sends. */
  kill(): void {
    this.dead = true;
    this.queue = [];
    this.queued = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.paused) this.src.resume();
    this.paused = false;
  }
}

/** A forwarded connection: the accepted socket, the socket dialled to the target, two pipes. */
class Conn {
  readonly bytes: Record<Direction, number> = { up: 0, down: 0 };
  private readonly up: Pipe;
  private readonly down: Pipe;
  private open = 2;

  constructor(
    readonly client: Socket,
    readonly server: Socket,
    shaper: Shaper,
    onDone: (conn: Conn) => void,
  ) {
    this.up = new Pipe(client, server, 'up', shaper, this);
    this.down = new Pipe(server, client, 'down', shaper, this);
    // When one side closes, nothing more can reach it. If it ended cleanly first, what it sent
    // is still delivered to the other side, which is then closed; otherwise the other side is
    // dropped at once (an upstream error closes the dialler's connection).
    const closed = (into: Pipe, from: Pipe, other: Socket) => () => {
      into.kill();
      if (from.srcEnded) from.finishAndClose();
      else other.destroy();
      if (--this.open === 0) onDone(this);
    };
    client.on('error', () => {});
    server.on('error', () => {});
    client.on('close', closed(this.down, this.up, server));
    server.on('close', closed(this.up, this.down, client));
  }

  /** Drop both sides now; `reset` sends an RST instead of a FIN where the platform allows. */
  destroy(reset = false): void {
    this.up.kill();
    this.down.kill();
    for (const socket of [this.client, this.server]) {
      if (!reset) {
        socket.destroy();
        continue;
      }
      try {
        socket.resetAndDestroy();
      } catch {
        socket.destroy();
      }
    }
  }
}

/**
 * A TCP listener on 127.0.0.1 forwarding to one target, with a blocked mode and shaping.
 * Create with {@link LinkProxy.listen}; always {@link LinkProxy.close} it.
 */
export class LinkProxy {
  private readonly conns = new Set<Conn>();
  private readonly holes = new Set<Socket>();
  private readonly rng: Rng;
  private targetAddress: string;
  private listenAddress = '';
  private targetParts: { host: string; port: number };
  private isBlocked = false;
  private current: LinkShape = {};
  private buckets: Partial<Record<Direction, TokenBucket>> = {};
  private closed = false;
  private readonly totals = { connections: 0, blackholed: 0, resets: 0, bytesUp: 0, bytesDown: 0, bytesDropped: 0 };
  private readonly shaper: Shaper = {
    releaseTime: (dir, bytes, now) => this.releaseTime(dir, bytes, now),
    lose: (conn) => {
      this.totals.resets++;
      conn.destroy(true);
    },
  };

  private constructor(private readonly server: Server, opts: LinkProxyOptions) {
    this.rng = opts.rng;
    this.targetAddress = opts.target;
    this.targetParts = parseHostPort(opts.target);
    server.on('connection', (socket) => this.accept(socket));
    server.on('error', () => {});
  }

  /** Start listening on 127.0.0.1 (an ephemeral port unless `opts.port` is given). */
  static async listen(opts: LinkProxyOptions): Promise<LinkProxy> {
    const server = net.createServer({ allowHalfOpen: true });
    const proxy = new LinkProxy(server, opts);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: opts.port ?? 0 }, () => {
        server.off('error', reject);
        const addr = server.address();
        if (addr !== null && typeof addr === 'object') proxy.listenAddress = `127.0.0.1:${addr.port}`;
        resolve();
      });
    });
    return proxy;
  }

  /** The host:port to dial to use this link (still known after close). */
  get address(): string {
    return this.listenAddress;
  }

  /** The host:port connections are forwarded to. */
  get target(): string {
    return this.targetAddress;
  }

  /** Forward new connections elsewhere (a restarted node); open connections are dropped. */
  setTarget(target: string): void {
    this.targetParts = parseHostPort(target);
    this.targetAddress = target;
    for (const conn of this.conns) conn.destroy();
  }

  /** Whether the link is partitioned. */
  get blocked(): boolean {
    return this.isBlocked;
  }

  /** Partition: drop open connections, black-hole new ones until {@link unblock}. Idempotent. */
  block(): void {
    if (this.isBlocked) return;
    this.isBlocked = true;
    for (const conn of this.conns) conn.destroy();
  }

  /** Heal the partition: black-holed connections are dropped so their diallers reconnect. */
  unblock(): void {
    if (!this.isBlocked) return;
    this.isBlocked = false;
    for (const socket of this.holes) socket.destroy();
  }

  /** The shaping in force (`{}` when none). */
  get shape(): LinkShape {
    return { ...this.current };
  }

  /** Shape traffic in both directions from now on, open connections included; `{}` clears. */
  setShape(shape: LinkShape): void {
    validateShape(shape);
    this.current = { ...shape };
    const now = performance.now();
    const rate = shape.bytesPerSecond;
    this.buckets = rate === undefined ? {} : { up: new TokenBucket(rate, now), down: new TokenBucket(rate, now) };
  }

  /** Whether any shaping is in force. */
  get shaped(): boolean {
    const { latencyMs, jitterMs, loss, bytesPerSecond } = this.current;
    return Boolean(latencyMs || jitterMs || loss || bytesPerSecond !== undefined);
  }

  /** Counters since the proxy started. */
  stats(): LinkStats {
    let bytesUp = this.totals.bytesUp;
    let bytesDown = this.totals.bytesDown;
    for (const conn of this.conns) {
      bytesUp += conn.bytes.up;
      bytesDown += conn.bytes.down;
    }
    return { ...this.totals, bytesUp, bytesDown, open: this.conns.size + this.holes.size };
  }

  /** Stop listening and destroy every socket. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const conn of this.conns) conn.destroy();
    for (const socket of this.holes) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    if (this.isBlocked) return this.blackHole(socket);
    this.totals.connections++;
    const upstream = net.connect({ ...this.targetParts, allowHalfOpen: true });
    upstream.setNoDelay(true);
    const conn = new Conn(socket, upstream, this.shaper, (done) => {
      this.conns.delete(done);
      this.totals.bytesUp += done.bytes.up;
      this.totals.bytesDown += done.bytes.down;
    });
    this.conns.add(conn);
  }

  /** Accept and say nothing: read and discard, never dial the target. */
  private blackHole(socket: Socket): void {
    this.totals.blackholed++;
    this.holes.add(socket);
    socket.on('data', (chunk: Buffer) => {
      this.totals.bytesDropped += chunk.length;
    });
    socket.on('error', () => {});
    socket.on('close', () => this.holes.delete(socket));
  }

  private releaseTime(dir: Direction, bytes: number, now: number): number | undefined {
    const { latencyMs = 0, jitterMs = 0, loss = 0 } = this.current;
    if (loss > 0 && this.rng.float() < loss) return undefined;
    let at = this.buckets[dir]?.take(bytes, now) ?? now;
    if (latencyMs > 0 || jitterMs > 0) at += latencyMs + (jitterMs > 0 ? this.rng.float() * jitterMs : 0);
    return at;
  }
}
