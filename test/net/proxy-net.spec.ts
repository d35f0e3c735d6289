import net, { type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { CLIENTS } from '../../src/api/net.js';
import { isolate } from '../../src/net/grudge.js';
import { parseHostPort } from '../../src/net/address.js';
import { ProxyNet } from '../../src/net/proxy/proxy-net.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const nodes = ['n1', 'n2', 'n3'];

/** An echo server on 127.0.0.1 that also keeps everything it received, as one string. */
async function echoServer(): Promise<{ address: string; received: () => string; server: Server }> {
  let received = '';
  const sockets: Socket[] = [];
  const server = net.createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    socket.on('data', (c: Buffer) => (received += c.toString()));
    socket.pipe(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  });
  return { address: `127.0.0.1:${(server.address() as net.AddressInfo).port}`, received: () => received, server };
}

interface Fixture {
  net: ProxyNet;
  peer: Record<string, Awaited<ReturnType<typeof echoServer>>>;
  client: Record<string, Awaited<ReturnType<typeof echoServer>>>;
}

async function fixture(): Promise<Fixture> {
  const peer: Fixture['peer'] = {};
  const client: Fixture['client'] = {};
  for (const n of nodes) {
    peer[n] = await echoServer();
    client[n] = await echoServer();
  }
  const proxyNet = await ProxyNet.start({
    nodes,
    peerTargets: Object.fromEntries(nodes.map((n) => [n, peer[n]!.address])),
    clientTargets: Object.fromEntries(nodes.map((n) => [n, client[n]!.address])),
    seed: 5,
  });
  cleanups.push(() => proxyNet.close());
  return { net: proxyNet, peer, client };
}

/** Send `text` to `address`; the echoed reply, or '' when nothing came back within `ms`. */
async function roundTrip(address: string, text: string, ms = 300): Promise<string> {
  const socket = net.connect(parseHostPort(address));
  socket.on('error', () => {});
  let got = '';
  socket.on('data', (c: Buffer) => (got += c.toString()));
  socket.write(text);
  const deadline = Date.now() + ms;
  while (got.length < text.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  socket.destroy();
  return got;
}

describe('ProxyNet', () => {
  it('gives every ordered pair and every client its own proxy', async () => {
    const { net: pn, peer, client } = await fixture();
    expect(pn.kind).toBe('proxy');
    const addresses = new Set<string>();
    for (const a of nodes) {
      addresses.add(pn.clientAddress(a));
      for (const b of nodes) if (a !== b) addresses.add(pn.peerAddress(a, b));
    }
    expect(addresses.size).toBe(nodes.length * nodes.length);
    expect(() => pn.peerAddress('n1', 'n1')).toThrow();
    expect(() => pn.peerAddress('n1', 'n9')).toThrow();

    expect(await roundTrip(pn.peerAddress('n1', 'n2'), 'n1 to n2')).toBe('n1 to n2');
    expect(peer.n2!.received()).toBe('n1 to n2');
    expect(await roundTrip(pn.clientAddress('n3'), 'client')).toBe('client');
    expect(client.n3!.received()).toBe('client');
  });

  it('cuts one way: with {n2: [n1]} n1 cannot reach n2, n2 still reaches n1', async () => {
    const { net: pn, peer } = await fixture();
    await pn.partition({ n2: ['n1'] });
    expect(await roundTrip(pn.peerAddress('n1', 'n2'), 'lost')).toBe('');
    expect(peer.n2!.received()).toBe('');
    expect(await roundTrip(pn.peerAddress('n2', 'n1'), 'kept')).toBe('kept');
    expect(await roundTrip(pn.peerAddress('n3', 'n2'), 'also')).toBe('also');
    expect(pn.describe()).toMatchObject({ blocked: ['n1->n2'], text: 'n1 -/-> n2', grudge: { n2: ['n1'] } });
  });

  it('replaces the earlier partition, and heal restores everything', async () => {
    const { net: pn } = await fixture();
    await pn.partition(isolate(nodes, 'n1'));
    expect(pn.describe().blocked).toEqual(['n1->n2', 'n1->n3', 'n2->n1', 'n3->n1']);
    expect(pn.describe().text).toBe('n1 | n2,n3');
    await pn.partition({ n3: ['n2'] });
    expect(pn.describe().blocked).toEqual(['n2->n3']);
    expect(await roundTrip(pn.peerAddress('n1', 'n2'), 'ok')).toBe('ok');
    await pn.heal();
    expect(pn.describe()).toMatchObject({ blocked: [], text: 'no partition', grudge: {} });
    expect(await roundTrip(pn.peerAddress('n2', 'n3'), 'healed')).toBe('healed');
  });

  it('cuts client links with the clients pseudo-node, either way round', async () => {
    const { net: pn } = await fixture();
    await pn.partition(isolate(nodes, CLIENTS));
    expect(pn.describe().blocked).toEqual(['clients->n1', 'clients->n2', 'clients->n3']);
    expect(await roundTrip(pn.clientAddress('n1'), 'hello?')).toBe('');
    expect(await roundTrip(pn.peerAddress('n1', 'n2'), 'peers fine')).toBe('peers fine');
    await pn.partition({ [CLIENTS]: ['n2'] });
    expect(pn.describe().blocked).toEqual(['clients->n2']);
    await pn.partition({ n3: [CLIENTS] });
    expect(pn.describe().blocked).toEqual(['clients->n3']);
    await pn.heal();
    expect(await roundTrip(pn.clientAddress('n3'), 'back')).toBe('back');
  });

  it('refuses unknown nodes without changing anything', async () => {
    const { net: pn } = await fixture();
    await pn.partition({ n2: ['n1'] });
    await expect(pn.partition({ n1: ['n9'], n3: ['n1'] })).rejects.toThrow(/n9/);
    expect(pn.describe().blocked).toEqual(['n1->n2']);
  });

  it('shapes node links by default, named links on request, and heal clears', async () => {
    const { net: pn } = await fixture();
    await pn.shape({ latencyMs: 40 });
    const shaped = Object.keys(pn.describe().shaped);
    expect(shaped).toHaveLength(6);
    expect(shaped.some((k) => k.startsWith('clients'))).toBe(false);
    await pn.shape({ loss: 0.1 }, [{ from: 'n1', to: CLIENTS }]);
    expect(pn.describe().shaped['clients->n1']).toEqual({ loss: 0.1 });
    const t0 = Date.now();
    expect(await roundTrip(pn.peerAddress('n1', 'n2'), 'slow', 2000)).toBe('slow');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(75);
    await pn.shape({}, [{ from: 'n1', to: 'n2' }]);
    expect(Object.keys(pn.describe().shaped)).toHaveLength(6);
    await pn.heal();
    expect(pn.describe().shaped).toEqual({});
    await expect(pn.shape({ loss: 3 })).rejects.toThrow(RangeError);
  });

  it('retargets a restarted node', async () => {
    const { net: pn } = await fixture();
    const peer2 = await echoServer();
    const client2 = await echoServer();
    pn.retarget('n2', peer2.address, client2.address);
    expect(await roundTrip(pn.peerAddress('n3', 'n2'), 'moved')).toBe('moved');
    expect(peer2.received()).toBe('moved');
    expect(await roundTrip(pn.clientAddress('n2'), 'c')).toBe('c');
    expect(client2.received()).toBe('c');
    expect(pn.describe().links['n3->n2']?.target).toBe(peer2.address);
  });

  it('counts traffic per link', async () => {
    const { net: pn } = await fixture();
    await roundTrip(pn.peerAddress('n1', 'n3'), 'abcd');
    await new Promise((r) => setTimeout(r, 20));
    expect(pn.describe().links['n1->n3']).toMatchObject({ connections: 1, bytesUp: 4, bytesDown: 4 });
  });

  it('leaves no listening sockets after close', async () => {
    const { net: pn } = await fixture();
    const addresses = [...nodes.map((n) => pn.clientAddress(n)), pn.peerAddress('n1', 'n2'), pn.peerAddress('n3', 'n1')];
    await pn.close();
    for (const address of addresses) {
      const socket = net.connect(parseHostPort(address));
      const [err] = (await once(socket, 'error')) as [NodeJS.ErrnoException];
      expect(err.code).toBe('ECONNREFUSED');
    }
  });

  it('refuses a node without listen addresses', async () => {
    await expect(ProxyNet.start({ nodes: ['a'], peerTargets: {}, clientTargets: {}, seed: 1 })).rejects.toThrow(/a/);
    await expect(
      ProxyNet.start({ nodes: [CLIENTS], peerTargets: {}, clientTargets: {}, seed: 1 }),
    ).rejects.toThrow(/clients/);
  });
});
