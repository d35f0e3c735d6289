// The txn systems' primary hooks (src/node/txn/probe.ts) against nodes on 127.0.0.1 that answer
// status requests (fixed, or changing as they are asked): txn-3pc's primary is a participant
// exposed long enough to aim a cut at, found in the first status that names one.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AIM_WAIT_MS, EXPOSED_MIN_MS, longestExposed, nextExposed } from '../../../src/node/txn/probe.js';

const servers: net.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A node answering every status request with `status` (or what it returns then), after `delayMs`; its client address. */
async function statusNode(status: object | (() => object), delayMs = 0): Promise<string> {
  const server = net.createServer((socket) => {
    let buf = '';
    socket.on('data', (chunk) => {
      buf += chunk.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const { id } = JSON.parse(buf.slice(0, i)) as { id: number };
        buf = buf.slice(i + 1);
        setTimeout(() => socket.writable && socket.write(`${JSON.stringify({ id, type: 'ok', value: typeof status === 'function' ? status() : status })}\n`), delayMs);
      }
    });
    socket.on('error', () => undefined);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

async function cluster(statuses: [object | (() => object), number?][]): Promise<{ nodes: string[]; clientAddresses: Record<string, string> }> {
  const nodes = statuses.map((_, i) => `n${i + 1}`);
  const addresses = await Promise.all(statuses.map(([s, delay]) => statusNode(s, delay)));
  return { nodes, clientAddresses: Object.fromEntries(nodes.map((n, i) => [n, addresses[i]!])) };
}

describe('txn-3pc primary: the participant exposed longest', () => {
  it('takes the longest exposure at least EXPOSED_MIN_MS old, and nothing else', () => {
    expect(longestExposed({ n1: EXPOSED_MIN_MS - 1, n2: EXPOSED_MIN_MS + 3, n4: EXPOSED_MIN_MS + 1 })).toEqual({ node: 'n2', ms: EXPOSED_MIN_MS + 3 });
    expect(longestExposed({ n1: EXPOSED_MIN_MS - 0.5 })).toBeUndefined();
    expect(longestExposed({})).toBeUndefined();
    expect(longestExposed(undefined)).toBeUndefined();
    expect(longestExposed({ n1: 'long' })).toBeUndefined();
  });

  it('answers from the first status that names one, without waiting for slow nodes', async () => {
    const c = await cluster([[{ exposed: { n2: 2 } }], [{ exposed: {} }], [{ exposed: { n1: 40 } }, 3000], [{ exposed: { n5: 12, n2: 7 } }]]);
    const started = performance.now();
    expect(await nextExposed(c, new AbortController().signal)).toBe('n5');
    expect(performance.now() - started).toBeLessThan(AIM_WAIT_MS);
  });

  it('asks each node again as it answers, until one is exposed', async () => {
    const since = performance.now();
    let asks = 0;
    const c = await cluster([[{ exposed: {} }], [() => ({ exposed: ++asks >= 20 ? { n1: EXPOSED_MIN_MS } : {} })]]);
    expect(await nextExposed(c, new AbortController().signal)).toBe('n1');
    expect(asks).toBe(20);
    expect(performance.now() - since).toBeLessThan(AIM_WAIT_MS);
  });

  it('names nobody after AIM_WAIT_MS when no node reports an exposure old enough, or a node does not answer', async () => {
    const c = await cluster([[{ exposed: { n2: 1 } }], [{ uncertain: 3 }]]);
    const withDead = { nodes: [...c.nodes, 'n3'], clientAddresses: { ...c.clientAddresses, n3: '127.0.0.1:1' } };
    const started = performance.now();
    expect(await nextExposed(withDead, new AbortController().signal)).toBeUndefined();
    expect(performance.now() - started).toBeGreaterThanOrEqual(AIM_WAIT_MS - 5);
    const aborted = new AbortController();
    aborted.abort();
    expect(await nextExposed(c, aborted.signal)).toBeUndefined();
  });
});
