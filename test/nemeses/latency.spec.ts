import { once } from 'node:events';
import net, { type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NemesisContext } from '../../src/api/nemesis.js';
import { latency, loss, type StartShape } from '../../nemeses/latency.js';
import { ProxyNet } from '../../src/net/proxy/proxy-net.js';
import { FixtureCluster, bootSystem } from '../fixtures/nemesis-cluster.js';
import { checkScheduleLaws, expectSeedMatters } from './schedule-laws.js';

describe('latency and loss schedules', () => {
  it('keep the schedule laws with shapes in range', () => {
    for (const def of [latency, loss]) {
      expectSeedMatters(def);
      checkScheduleLaws(def, (schedule, nodes) => {
        for (const entry of schedule.filter((e) => e.f.startsWith('start-'))) {
          const v = entry.value as StartShape;
          if (v.node !== undefined) expect(nodes).toContain(v.node);
          if (def === latency) {
            expect(v.latencyMs).toBeGreaterThanOrEqual(20);
            expect(v.latencyMs).toBeLessThanOrEqual(500);
            expect(v.jitterMs).toBeLessThanOrEqual((v.latencyMs as number) / 2);
          } else {
            expect(v.loss).toBeGreaterThanOrEqual(0.05);
            expect(v.loss).toBeLessThanOrEqual(0.3);
          }
        }
      });
    }
  });
});

describe('latency and loss on the fault proxy', () => {
  const nodes = ['n1', 'n2', 'n3'];
  // The nemeses only need the cluster's node names; the proxy's targets are echo servers.
  const fx = new FixtureCluster(bootSystem(), nodes);
  let echo: Server;
  let proxy: ProxyNet;
  let ctx: NemesisContext;
  beforeAll(async () => {
    echo = net.createServer((socket) => {
      socket.on('error', () => {});
      socket.pipe(socket);
    });
    echo.listen(0, '127.0.0.1');
    await once(echo, 'listening');
    const address = `127.0.0.1:${(echo.address() as net.AddressInfo).port}`;
    const targets = Object.fromEntries(nodes.map((n) => [n, address]));
    proxy = await ProxyNet.start({ nodes, peerTargets: targets, clientTargets: targets, seed: 1 });
    ctx = fx.ctx(proxy);
  });
  afterAll(async () => {
    await proxy?.close();
    await new Promise((r) => echo?.close(r));
    await fx.close();
  });

  /** Milliseconds for one byte to go `from` → `to` through the proxy and come back. */
  async function roundTrip(from: string, to: string): Promise<number> {
    const [host, port] = proxy.peerAddress(from, to).split(':') as [string, string];
    const socket: Socket = net.connect({ host, port: Number(port) });
    socket.setNoDelay(true);
    try {
      await once(socket, 'connect');
      const t0 = performance.now();
      socket.write('x');
      await once(socket, 'data');
      return performance.now() - t0;
    } finally {
      socket.destroy();
    }
  }

  it('delays every node link by the added latency each way, and unshapes on stop', async () => {
    const nemesis = latency.build();
    expect(await roundTrip('n1', 'n2')).toBeLessThan(50);
    const done = await nemesis.invoke({ f: 'start-latency', value: { latencyMs: 100, jitterMs: 0 } }, ctx);
    expect(done).toEqual({ latencyMs: 100, jitterMs: 0, links: 6, text: '100 ms delay on all links' });
    expect(Object.keys(proxy.describe().shaped).sort()).toEqual(['n1->n2', 'n1->n3', 'n2->n1', 'n2->n3', 'n3->n1', 'n3->n2']);
    expect(await roundTrip('n1', 'n2')).toBeGreaterThanOrEqual(195);
    expect(await roundTrip('n3', 'n1')).toBeGreaterThanOrEqual(195);
    expect(await nemesis.invoke({ f: 'stop-latency' }, ctx)).toEqual({ text: 'no latency' });
    expect(proxy.describe().shaped).toEqual({});
    expect(await roundTrip('n1', 'n2')).toBeLessThan(50);
  });

  it('composes with loss and with a partition: each stop undoes only its own fault', async () => {
    const slow = latency.build();
    const lossy = loss.build();
    await proxy.partition({ n2: ['n1'] });
    const done = await slow.invoke({ f: 'start-latency', value: { latencyMs: 80, jitterMs: 20, node: 'n3' } }, ctx);
    expect((done as { text: string }).text).toBe('80–100 ms delay on links to and from n3');
    await lossy.invoke({ f: 'start-loss', value: { loss: 0.2 } }, ctx);
    let shaped = proxy.describe().shaped;
    expect(shaped['n1->n2']).toEqual({ loss: 0.2 });
    expect(shaped['n1->n3']).toEqual({ latencyMs: 80, jitterMs: 20, loss: 0.2 });
    await lossy.invoke({ f: 'stop-loss' }, ctx);
    shaped = proxy.describe().shaped;
    expect(Object.keys(shaped).sort()).toEqual(['n1->n3', 'n2->n3', 'n3->n1', 'n3->n2']);
    expect(shaped['n3->n2']).toEqual({ latencyMs: 80, jitterMs: 20 });
    expect(proxy.describe().blocked).toEqual(['n1->n2']);
    await slow.heal(ctx);
    await slow.heal(ctx);
    expect(proxy.describe().shaped).toEqual({});
    expect(proxy.describe().blocked).toEqual(['n1->n2']); // the partition is not the latency nemesis's to heal
    await proxy.partition({});
    await expect(lossy.invoke({ f: 'start-loss', value: { loss: 2 } }, ctx)).rejects.toThrow(/start-loss needs/);
  });
});
