import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENTS } from '../../../src/api/net.js';
import { isolate } from '../../../src/net/grudge.js';
import { inNetns } from '../../../src/net/netns/exec.js';
import { createLab, destroyLab, type Lab } from '../../../src/net/netns/lab.js';
import { NetnsNet } from '../../../src/net/netns/netns-net.js';
import { canConnect, netnsUnsupported, rootSnapshot, serveIn, uploadMs } from './helpers.js';

const unsupported = netnsUnsupported();
const PORT = 7401;
const NODES = ['n1', 'n2', 'n3'];

describe.skipIf(unsupported !== undefined)(`NetnsNet${unsupported ? ` (skipped: ${unsupported})` : ''}`, () => {
  let before: Record<string, string>;
  let lab: Lab;
  let net: NetnsNet;
  const servers: { close(): void }[] = [];
  const addr = (n: string): string => `${lab.nodes[n]!.address}:${PORT}`;
  const ns = (n: string): string => (n === CLIENTS ? lab.control.ns : lab.nodes[n]!.ns);
  /** Which of `targets` node `from` can open a TCP connection to. */
  const reach = async (from: string, targets: string[]): Promise<string[]> => {
    const r = await canConnect(ns(from), targets.map(addr));
    return targets.filter((t) => r[addr(t)]);
  };

  beforeAll(async () => {
    before = rootSnapshot();
    lab = await createLab({ nodes: NODES });
    net = new NetnsNet(lab);
    for (const n of NODES) servers.push(await serveIn(lab.nodes[n]!.ns, lab.nodes[n]!.address, PORT));
  });
  afterAll(async () => {
    for (const s of servers) s.close();
    if (lab) await destroyLab(lab.id);
  });

  it('a partition blocks TCP between node namespaces, leaves the control side alone, and heal restores', async () => {
    await net.partition(isolate(NODES, 'n1'));
    expect(await reach('n1', ['n2', 'n3'])).toEqual([]);
    expect(await reach('n2', ['n1', 'n3'])).toEqual(['n3']);
    expect(await reach(CLIENTS, NODES)).toEqual(NODES);
    expect(net.describe()).toMatchObject({ kind: 'netns', text: 'n1 | n2,n3', lab: lab.id });
    expect(rootSnapshot()).toEqual(before);

    // A new partition replaces the old one.
    await net.partition({ n3: ['n2'], n2: ['n3'] });
    expect(await reach('n1', ['n2', 'n3'])).toEqual(['n2', 'n3']);
    expect(await reach('n2', ['n1', 'n3'])).toEqual(['n1']);

    await net.heal();
    expect(await reach('n2', ['n1', 'n3'])).toEqual(['n1', 'n3']);
    expect(net.describe().grudge).toEqual({});
    expect(await inNetns(lab.switchNs, 'nft', ['list', 'ruleset'])).toBe('');
  });

  it('`clients` in a grudge cuts the control namespace off the nodes, not the nodes off each other', async () => {
    await net.partition(isolate(NODES, CLIENTS));
    expect(await reach(CLIENTS, NODES)).toEqual([]);
    expect(await reach('n1', ['n2', 'n3'])).toEqual(['n2', 'n3']);
    await net.partition({ n2: [CLIENTS] }); // one node only
    expect(await reach(CLIENTS, NODES)).toEqual(['n1', 'n3']);
    await net.heal();
    expect(await reach(CLIENTS, NODES)).toEqual(NODES);
  });

  it('refuses an unknown node and changes nothing', async () => {
    await net.partition(isolate(NODES, 'n1'));
    await expect(net.partition({ n1: ['n9'] })).rejects.toThrow(/no node named n9/);
    expect(net.describe().text).toBe('n1 | n2,n3');
    await expect(net.shape({ loss: 0.5 }, [{ from: 'n1', to: 'n9' }])).rejects.toThrow(/no node named n9/);
    await expect(net.shape({ loss: 2 })).rejects.toThrow(RangeError);
    await net.heal();
  });

  it('loss drops packets with iptables statistic in the receiving namespace; heal removes it', async () => {
    await net.shape({ loss: 1 }, [{ from: 'n1', to: 'n2' }]);
    expect(await reach('n1', ['n2', 'n3'])).toEqual(['n3']);
    expect(await reach('n3', ['n2'])).toEqual(['n2']);

    await net.shape({ loss: 0.25 }, [{ from: 'n1', to: 'n2' }]);
    const rules = await inNetns(lab.nodes.n2!.ns, 'iptables-save', []);
    expect(rules).toMatch(new RegExp(`-A INPUT -s ${lab.nodes.n1!.address}/32 -m statistic --mode random --probability 0\\.25\\d* -j DROP`));
    expect(net.describe().shaped).toEqual({ 'n1->n2': { loss: 0.25 } });

    await net.heal();
    expect(await inNetns(lab.nodes.n2!.ns, 'iptables-save', [])).not.toMatch(/DROP/);
    expect(await reach('n1', ['n2'])).toEqual(['n2']);
    expect(rootSnapshot()).toEqual(before);
  });

  it('bandwidth limits one link with htb on the sender, other links stay fast', async () => {
    const bytes = 384 * 1024;
    await net.shape({ bytesPerSecond: 256 * 1024 }, [{ from: 'n1', to: 'n2' }]);
    const [slow, fast] = await Promise.all([uploadMs(ns('n1'), addr('n2'), bytes), uploadMs(ns('n1'), addr('n3'), bytes)]);
    expect(slow).toBeGreaterThan(900); // 1.5 s at the limit, less the bucket's burst
    expect(fast).toBeLessThan(500);
    await net.heal();
    expect(await uploadMs(ns('n1'), addr('n2'), bytes)).toBeLessThan(500);
  });

  it('latency needs netem: refused with a clear error where the kernel lacks it, nothing changed', async () => {
    if (await net.netemAvailable()) {
      await net.shape({ latencyMs: 20 }, [{ from: 'n1', to: 'n2' }]);
      expect(net.describe().mechanisms.latency).toBe('tc netem');
      await net.heal();
      return;
    }
    await expect(net.shape({ latencyMs: 50, jitterMs: 5 })).rejects.toThrow(/no tc netem/);
    expect(net.describe().shaped).toEqual({});
    expect(net.describe().mechanisms.latency).toMatch(/unsupported/);
  });

  it('left nothing in the root namespace', () => {
    expect(rootSnapshot()).toEqual(before);
  });
});
