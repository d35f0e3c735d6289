import net, { type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { Rng } from '../../src/gen/rng.js';
import { LinkProxy } from '../../src/net/proxy/link-proxy.js';
import { parseHostPort } from '../../src/net/address.js';

/** Everything a test opened, closed after it. */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface TestServer {
  address: string;
  /** Bytes received, per connection, in accept order. */
  received: Buffer[][];
  sockets: Socket[];
  /** Resolve when each connection has closed, in accept order. */
  closed: Promise<void>[];
  server: Server;
}

/** A server on 127.0.0.1: `echo` writes back what it reads, `sink` only reads. */
async function startServer(kind: 'echo' | 'sink', opts: { paused?: boolean } = {}): Promise<TestServer> {
  const received: Buffer[][] = [];
  const sockets: Socket[] = [];
  const closed: Promise<void>[] = [];
  const server = net.createServer({ pauseOnConnect: opts.paused ?? false }, (socket) => {
    const chunks: Buffer[] = [];
    received.push(chunks);
    sockets.push(socket);
    closed.push(new Promise((r) => socket.on('close', () => r())));
    socket.on('error', () => {});
    if (!opts.paused) socket.on('data', (c: Buffer) => chunks.push(c));
    if (kind === 'echo') socket.pipe(socket);
    else socket.on('end', () => socket.end());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  cleanups.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  });
  return { address: `127.0.0.1:${port}`, received, sockets, closed, server };
}

async function startProxy(target: string, seed = 1): Promise<LinkProxy> {
  const proxy = await LinkProxy.listen({ target, rng: new Rng(seed) });
  cleanups.push(() => proxy.close());
  return proxy;
}

async function dial(address: string): Promise<Socket> {
  const socket = net.connect(parseHostPort(address));
  socket.setNoDelay(true);
  socket.on('error', () => {});
  cleanups.push(() => void socket.destroy());
  await once(socket, 'connect');
  return socket;
}

/** What a socket receives within `ms`, and whether it closed. */
async function watch(socket: Socket, ms: number): Promise<{ data: string; closed: boolean }> {
  let data = '';
  let closed = socket.destroyed;
  const onData = (c: Buffer) => (data += c.toString());
  const onClose = () => (closed = true);
  socket.on('data', onData).on('close', onClose).on('end', onClose);
  await new Promise((r) => setTimeout(r, ms));
  socket.off('data', onData).off('close', onClose).off('end', onClose);
  return { data, closed };
}

/** Read until `n` bytes arrived (or the socket closed). */
async function readBytes(socket: Socket, n: number, timeoutMs = 3000): Promise<string> {
  let data = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out with ${data.length}/${n} bytes`)), timeoutMs);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    socket.on('data', (c: Buffer) => {
      data += c.toString();
      if (data.length >= n) done();
    });
    socket.on('close', done);
  });
  return data;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('LinkProxy forwarding', () => {
  it('forwards both ways, half-closes cleanly and counts', async () => {
    const echo = await startServer('echo');
    const proxy = await startProxy(echo.address);
    expect(proxy.address).toMatch(/^127\.0\.0\.1:\d+$/);
    const socket = await dial(proxy.address);
    const reply = readBytes(socket, 5);
    socket.write('hello');
    expect(await reply).toBe('hello');
    socket.end(' world');
    await once(socket, 'end');
    await once(socket, 'close');
    await sleep(20);
    expect(proxy.stats()).toMatchObject({ connections: 1, bytesUp: 11, bytesDown: 11, open: 0 });
  });

  it('closes the dialler when the target refuses', async () => {
    const gone = await startServer('sink');
    await new Promise((r) => gone.server.close(r));
    const proxy = await startProxy(gone.address);
    const socket = await dial(proxy.address);
    expect((await watch(socket, 300)).closed).toBe(true);
  });

  it('retargets new connections and drops old ones', async () => {
    const first = await startServer('echo');
    const second = await startServer('sink');
    const proxy = await startProxy(first.address);
    const old = await dial(proxy.address);
    proxy.setTarget(second.address);
    expect(proxy.target).toBe(second.address);
    expect((await watch(old, 100)).closed).toBe(true);
    const fresh = await dial(proxy.address);
    fresh.write('x');
    await sleep(50);
    expect(Buffer.concat(second.received[0] ?? []).toString()).toBe('x');
  });

  it('pauses the sender when the receiver does not read, then delivers everything', async () => {
    const sink = await startServer('sink', { paused: true });
    const proxy = await startProxy(sink.address);
    const socket = await dial(proxy.address);
    const total = 64 * 1024 * 1024;
    socket.write(Buffer.alloc(total, 1));
    await sleep(400);
    // The proxy stopped reading, so most of the payload is still queued in the sender.
    expect(socket.writableLength).toBeGreaterThan(16 * 1024 * 1024);
    let got = 0;
    const server = sink.sockets[0] as Socket;
    server.on('data', (c: Buffer) => (got += c.length));
    server.resume();
    socket.end();
    await once(server, 'end');
    expect(got).toBe(total);
  });
});

describe('LinkProxy partition', () => {
  it('drops open connections and black-holes new ones until unblocked', async () => {
    const echo = await startServer('echo');
    const proxy = await startProxy(echo.address);
    const before = await dial(proxy.address);
    proxy.block();
    expect(proxy.blocked).toBe(true);
    expect((await watch(before, 100)).closed).toBe(true);

    const during = await dial(proxy.address); // the connect succeeds: a silent peer, not an RST
    during.write('anyone there?');
    expect(await watch(during, 300)).toEqual({ data: '', closed: false });
    expect(echo.received).toHaveLength(1); // never dialled upstream
    expect(proxy.stats()).toMatchObject({ blackholed: 1, bytesDropped: 13 });

    proxy.unblock();
    expect((await watch(during, 100)).closed).toBe(true);
    const after = await dial(proxy.address);
    const reply = readBytes(after, 4);
    after.write('back');
    expect(await reply).toBe('back');
  });
});

describe('LinkProxy shaping', () => {
  it('adds latency each way', async () => {
    const echo = await startServer('echo');
    const proxy = await startProxy(echo.address);
    proxy.setShape({ latencyMs: 60 });
    expect(proxy.shaped).toBe(true);
    const socket = await dial(proxy.address);
    const t0 = performance.now();
    const reply = readBytes(socket, 4);
    socket.write('ping');
    expect(await reply).toBe('ping');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(2 * 60 - 5);
    proxy.setShape({});
    expect(proxy.shaped).toBe(false);
  });

  it('keeps order under jitter', async () => {
    const sink = await startServer('sink');
    const proxy = await startProxy(sink.address, 42);
    proxy.setShape({ latencyMs: 5, jitterMs: 40 });
    const socket = await dial(proxy.address);
    const sent: string[] = [];
    for (let i = 0; i < 40; i++) {
      sent.push(`<${i}>`);
      socket.write(`<${i}>`);
      await sleep(1);
    }
    socket.end();
    await sink.closed[0];
    expect(Buffer.concat(sink.received[0] ?? []).toString()).toBe(sent.join(''));
  });

  it('resets connections under loss', async () => {
    const echo = await startServer('echo');
    const proxy = await startProxy(echo.address, 9);
    proxy.setShape({ loss: 0.5 });
    let ok = 0;
    let reset = 0;
    for (let i = 0; i < 20; i++) {
      const socket = await dial(proxy.address);
      let failed = false;
      socket.on('error', () => (failed = true));
      const reply = readBytes(socket, 3, 1000).catch(() => '');
      socket.write('abc');
      const got = await reply;
      if (got === 'abc' && !failed) ok++;
      else reset++;
      socket.destroy();
    }
    expect(ok).toBeGreaterThan(0);
    expect(reset).toBeGreaterThan(0);
    expect(proxy.stats().resets).toBe(reset);
  });

  it('limits bandwidth', async () => {
    const size = 256 * 1024;
    const time = async (proxy: LinkProxy, sink: TestServer): Promise<number> => {
      const socket = await dial(proxy.address);
      const t0 = performance.now();
      socket.end(Buffer.alloc(size, 7));
      await once(socket, 'close');
      const got = sink.received.at(-1) ?? [];
      expect(Buffer.concat(got).length).toBe(size);
      return performance.now() - t0;
    };
    const sink = await startServer('sink');
    const proxy = await startProxy(sink.address);
    const fast = await time(proxy, sink);
    proxy.setShape({ bytesPerSecond: 1024 * 1024 });
    const slow = await time(proxy, sink);
    // 256 KiB at 1 MiB/s minus a 50 ms burst is about 200 ms.
    expect(slow).toBeGreaterThan(150);
    expect(slow).toBeGreaterThan(fast);
  });

  it('rejects nonsense shapes', async () => {
    const proxy = await startProxy('127.0.0.1:9');
    expect(() => proxy.setShape({ loss: 2 })).toThrow(RangeError);
    expect(() => proxy.setShape({ latencyMs: -1 })).toThrow(RangeError);
    expect(() => proxy.setShape({ bytesPerSecond: 0 })).toThrow(RangeError);
  });
});

describe('LinkProxy close', () => {
  it('destroys every socket and stops listening', async () => {
    const echo = await startServer('echo');
    const proxy = await startProxy(echo.address);
    const open = await dial(proxy.address);
    const blocked = await startProxy(echo.address);
    blocked.block();
    const hole = await dial(blocked.address);
    await Promise.all([proxy.close(), blocked.close()]);
    expect((await watch(open, 50)).closed).toBe(true);
    expect((await watch(hole, 50)).closed).toBe(true);
    const refused = net.connect(parseHostPort(proxy.address));
    const [err] = (await once(refused, 'error')) as [NodeJS.ErrnoException];
    expect(err.code).toBe('ECONNREFUSED');
    await proxy.close(); // idempotent
  });

  it('parses host:port', () => {
    expect(parseHostPort('127.0.0.1:80')).toEqual({ host: '127.0.0.1', port: 80 });
    expect(parseHostPort('[::1]:5000')).toEqual({ host: '::1', port: 5000 });
    expect(() => parseHostPort('nope')).toThrow();
    expect(() => parseHostPort('h:0')).toThrow();
  });
});
