/**
 * Why: with no `tc netem` in this kernel, latency in `--net netns` mode comes from a fault proxy
 * process per node inside its namespace. This checks, from inside the lab only, that a message
 * between two node namespaces through those proxies takes at least the added delay when shaped
 * and not when healed, that partitions at the bridge still cut proxied connections, and that the
 * processes and their sockets are gone after close.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcesses } from '../../../src/hosts/local/run-processes.js';
import { RUN_ENV } from '../../../src/hosts/local/local-cluster.js';
import { createLab, destroyLab, type Lab } from '../../../src/net/netns/lab.js';
import { NetnsNet } from '../../../src/net/netns/netns-net.js';
import { NamespaceProxies } from '../../../src/net/netns/proxy-control.js';
import { canConnect, netnsUnsupported, rootSnapshot, serveIn, uploadMs } from './helpers.js';

const unsupported = netnsUnsupported();
const PORT = 7402;
const NODES = ['n1', 'n2'];
const DELAY_MS = 250;

describe.skipIf(unsupported !== undefined)(`netns latency via per-node fault proxies${unsupported ? ` (skipped: ${unsupported})` : ''}`, () => {
  let before: Record<string, string>;
  let lab: Lab;
  let proxies: NamespaceProxies | undefined;
  let net: NetnsNet;
  let server: { close(): void } | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'fl-lat-'));
  const ns = (n: string): string => lab.nodes[n]!.ns;
  /** n1 → n2 through n1's proxy, as a node would dial it. */
  const viaProxy = (): Promise<number> => uploadMs(ns('n1'), proxies!.peerAddress('n1', 'n2'), 1000);

  beforeAll(async () => {
    before = rootSnapshot();
    lab = await createLab({ nodes: NODES });
    const peerTargets = Object.fromEntries(NODES.map((n) => [n, `${lab.nodes[n]!.address}:${PORT}`]));
    proxies = await NamespaceProxies.start({ lab, nodes: NODES, dir, peerTargets, seed: 1, env: { [RUN_ENV]: dir } });
    net = new NetnsNet(lab, proxies);
    server = await serveIn(ns('n2'), lab.nodes.n2!.address, PORT);
  });
  afterAll(async () => {
    server?.close();
    await proxies?.close();
    if (lab) await destroyLab(lab.id);
    rmSync(dir, { recursive: true, force: true });
  });

  it('delays a message between node namespaces by at least the latency when shaped, not when healed', async () => {
    expect(proxies!.peerAddress('n1', 'n2')).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(await viaProxy()).toBeLessThan(DELAY_MS);

    await net.shape({ latencyMs: DELAY_MS, jitterMs: 20 }, [{ from: 'n1', to: 'n2' }]);
    expect(await viaProxy()).toBeGreaterThanOrEqual(DELAY_MS);
    expect(net.describe().shaped).toEqual({ 'n1->n2': { latencyMs: DELAY_MS, jitterMs: 20 } });
    expect(net.describe().mechanisms.latency).toMatch(/fault proxy/);

    await net.heal();
    expect(await viaProxy()).toBeLessThan(DELAY_MS);
    expect(rootSnapshot()).toEqual(before);
  });

  it('refuses latency on client links (the proxies only sit between nodes), changing nothing', async () => {
    await expect(net.shape({ latencyMs: 10 }, [{ from: 'clients', to: 'n1' }])).rejects.toThrow(/client links/);
    expect(net.describe().shaped).toEqual({});
  });

  it('proxied connections still leave from the node address, so a partition at the bridge cuts them', async () => {
    await net.partition({ n2: ['n1'] });
    // The local listener accepts; the forwarded connection is dropped at the bridge, so the
    // upload never gets its answer (the probe is cut off by its timeout instead).
    const cut = await Promise.race([viaProxy().then(() => 'answered'), new Promise((r) => setTimeout(() => r('cut'), 1500))]);
    expect(cut).toBe('cut');
    await net.heal();
    expect((await canConnect(ns('n1'), [proxies!.peerAddress('n1', 'n2')]))[proxies!.peerAddress('n1', 'n2')]).toBe(true);
  });

  it('close stops every proxy process and removes its socket', async () => {
    expect(runProcesses(dir).length).toBeGreaterThanOrEqual(NODES.length);
    expect(readdirSync(dir).filter((f) => f.endsWith('.sock')).length).toBe(NODES.length);
    await proxies!.close();
    expect(runProcesses(dir)).toEqual([]);
    expect(readdirSync(dir).filter((f) => f.endsWith('.sock'))).toEqual([]);
    expect(existsSync(dir)).toBe(true);
  });
});
