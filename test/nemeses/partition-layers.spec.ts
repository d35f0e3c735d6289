import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/api/cluster.js';
import type { NemesisContext, NemesisDef } from '../../src/api/nemesis.js';
import { CLIENTS, type Grudge } from '../../src/api/net.js';
import type { Op } from '../../src/api/op.js';
import { Rng } from '../../src/gen/rng.js';
import { Journal } from '../../src/history/journal.js';
import { clearCutLayer } from '../../src/net/cut-layers.js';
import { cutLinks, isolate, oneWay, union } from '../../src/net/grudge.js';
import { ProxyNet } from '../../src/net/proxy/proxy-net.js';
import { faultBands } from '../../src/report/report-data.js';
import { healAll, performFault, type ActiveNemesis } from '../../src/runner/nemesis-runner.js';
import { partition } from '../../nemeses/partition.js';
import { bridgePrimary, partitionPrimary } from '../../nemeses/partition-primary.js';
import { silentCrash } from '../../nemeses/silent-crash.js';
import { tempFiles } from '../helpers/temp-files.js';

const NODES = ['n1', 'n2', 'n3', 'n4', 'n5'];
/** The partition-type nemeses quick enough to play many times (election-crash has its own test). */
const DEFS: readonly NemesisDef[] = [partition, partitionPrimary, bridgePrimary, silentCrash];
const { dir } = tempFiles('partition-layers');

/** A cluster that knows its nodes and a primary the test sets; kills and starts do nothing. */
function cluster(primary: () => string): Cluster {
  return { nodes: NODES, clientAddresses: {}, primary: async () => primary(), isRunning: () => true, kill: async () => {}, start: async () => {} } as unknown as Cluster;
}

/** The fault proxy's names of the links a grudge blocks. */
function proxyLinks(grudge: Grudge): string[] {
  return [...new Set(cutLinks(grudge).map(({ from, to }) => (to === CLIENTS ? `${CLIENTS}->${from}` : `${from}->${to}`)))].sort();
}

/** The cut a start completion says its nemesis made. */
function claimedCut(kind: string, value: Record<string, unknown>): Grudge {
  if (kind === 'silent-crash') return oneWay(value.node as string, NODES.filter((n) => n !== value.node));
  return value.grudge as Grudge;
}

describe('partition-type nemeses together', () => {
  let proxy: ProxyNet;
  let runs = 0;
  beforeAll(async () => {
    const targets = Object.fromEntries(NODES.map((n) => [n, '127.0.0.1:9'])); // no traffic is sent
    proxy = await ProxyNet.start({ nodes: NODES, peerTargets: targets, clientTargets: targets, seed: 1 });
  });
  afterAll(async () => {
    await proxy?.close();
  });

  it('each heal lifts only its own cuts; the net blocks exactly what the open fault bands claim, and each completion names the other cuts in force (property)', async () => {
    const step = fc.record({ nemesis: fc.nat({ max: DEFS.length - 1 }), seed: fc.nat(), primary: fc.constantFrom(...NODES) });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 14 }), async (steps) => {
        for (const def of DEFS) await clearCutLayer(proxy, def.name);
        let primary = 'n1';
        const ctx: NemesisContext = { cluster: cluster(() => primary), net: proxy, signal: new AbortController().signal };
        const active: ActiveNemesis[] = DEFS.map((def) => ({ name: def.name, nemesis: def.build() }));
        const journal = new Journal(join(dir, `history-${runs++}.jsonl`));
        const ops: Op[] = [];
        journal.onRecord((op) => ops.push(op));
        const started = new Set<string>();
        try {
          for (const { nemesis, seed, primary: p } of steps) {
            primary = p;
            const def = DEFS[nemesis] as NemesisDef;
            const stop = started.has(def.name);
            if (stop) started.delete(def.name);
            else started.add(def.name);
            const value = stop ? undefined : def.drawStart!(NODES, new Rng(seed));
            await performFault(active, { f: `${stop ? 'stop' : 'start'}-${def.name}`, value }, ctx, journal);
            const done = ops.at(-1) as Op;
            expect(done.error).toBeUndefined();
            const open = faultBands(ops, Number.POSITIVE_INFINITY).filter((b) => b.endNs === Number.POSITIVE_INFINITY);
            expect(open.map((b) => b.kind).sort()).toEqual([...started].sort());
            const claimed = open.map((b) => claimedCut(b.kind, ops.findLast((op) => op.f === `start-${b.kind}` && op.type === 'info')?.value as Record<string, unknown>));
            expect(proxy.describe().blocked.sort()).toEqual(proxyLinks(union(...claimed)));
            const others = [...started].filter((name) => name !== def.name).sort();
            const recorded = done.value as { others?: string[]; text: string };
            expect(recorded.others ?? []).toEqual(others);
            if (others.length > 0) expect(recorded.text).toContain(`${others.join(', ')}'s cuts`);
          }
          await healAll(active, ctx, journal);
          expect(faultBands(ops, Number.POSITIVE_INFINITY).filter((b) => b.endNs === Number.POSITIVE_INFINITY)).toEqual([]);
          expect(proxy.describe().blocked).toEqual([]);
        } finally {
          journal.close();
        }
      }),
      { numRuns: 100 },
    );
  });

  it('a partition healed beside a muted node leaves the mute, and says so', async () => {
    const ctx: NemesisContext = { cluster: cluster(() => 'n1'), net: proxy, signal: new AbortController().signal };
    const mute = silentCrash.build();
    const cut = partition.build();
    expect(await mute.invoke({ f: 'start-silent-crash', value: { node: 'n2' } }, ctx)).toEqual({ node: 'n2', text: 'mute n2: its messages reach nobody, it hears everyone' });
    const done = await cut.invoke({ f: 'start-partition', value: { shape: 'isolate-one', grudge: isolate(NODES, 'n5') } }, ctx);
    expect(done).toMatchObject({ grudge: isolate(NODES, 'n5'), others: ['silent-crash'], inForce: union(isolate(NODES, 'n5'), oneWay('n2', ['n1', 'n3', 'n4', 'n5'])) });
    expect((done as { text: string }).text).toBe("partition isolate-one: n1,n2,n3,n4 | n5; with silent-crash's cuts, in force: " +
      'n1 <-/-> n5, n2 -/-> n1, n2 -/-> n3, n2 -/-> n4, n2 <-/-> n5, n3 <-/-> n5, n4 <-/-> n5');
    expect(await cut.invoke({ f: 'stop-partition' }, ctx)).toEqual({
      others: ['silent-crash'],
      inForce: oneWay('n2', ['n1', 'n3', 'n4', 'n5']),
      text: "heal the partition; silent-crash's cuts stay in force: n2 -/-> n1, n2 -/-> n3, n2 -/-> n4, n2 -/-> n5",
    });
    expect(proxy.describe().blocked).toEqual(['n2->n1', 'n2->n3', 'n2->n4', 'n2->n5']);
    expect(await mute.invoke({ f: 'stop-silent-crash' }, ctx)).toEqual({ node: 'n2', text: 'kill n2 while muted, start it again, heal' });
    expect(proxy.describe().blocked).toEqual([]);
  });
});
