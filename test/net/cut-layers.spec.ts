import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENTS, type Grudge, type Net } from '../../src/api/net.js';
import { clearCutLayer, cutLayers, othersInForce, setCutLayer } from '../../src/net/cut-layers.js';
import { cutLinks, normalize, union } from '../../src/net/grudge.js';
import { ProxyNet } from '../../src/net/proxy/proxy-net.js';

const NODES = ['n1', 'n2', 'n3', 'n4'];
const LAYERS = ['partition', 'partition-primary', 'silent-crash'];

/** A grudge over the nodes and the clients. */
const grudgeArb: fc.Arbitrary<Grudge> = fc.dictionary(fc.constantFrom(...NODES, CLIENTS), fc.uniqueArray(fc.constantFrom(...NODES, CLIENTS), { maxLength: 4 }), { maxKeys: 5 });

/** One change to one layer: a cut (`grudge`) or a heal. */
type Change = { layer: string; grudge?: Grudge };
const changeArb: fc.Arbitrary<Change> = fc.record({ layer: fc.constantFrom(...LAYERS), grudge: fc.option(grudgeArb, { nil: undefined }) }, { requiredKeys: ['layer'] });

const apply = (net: Net, { layer, grudge }: Change) => (grudge === undefined ? clearCutLayer(net, layer) : setCutLayer(net, layer, grudge));

/** The layers as a plain model: the last cut each was given, none after a heal. */
function model(changes: readonly Change[]): Map<string, Grudge> {
  const layers = new Map<string, Grudge>();
  for (const { layer, grudge } of changes) {
    if (grudge !== undefined && Object.keys(normalize(grudge)).length > 0) layers.set(layer, normalize(grudge));
    else layers.delete(layer);
  }
  return layers;
}

/** The fault proxy's names of the links a grudge blocks (a node's client link carries both directions). */
function proxyLinks(grudge: Grudge): string[] {
  const names = cutLinks(grudge).map(({ from, to }) => (to === CLIENTS ? `${CLIENTS}->${from}` : `${from}->${to}`));
  return [...new Set(names)].sort();
}

describe('cut layers on the fault proxy', () => {
  let proxy: ProxyNet;
  beforeAll(async () => {
    // No traffic is sent: the proxies only need somewhere to point.
    const targets = Object.fromEntries(NODES.map((n) => [n, '127.0.0.1:9']));
    proxy = await ProxyNet.start({ nodes: NODES, peerTargets: targets, clientTargets: targets, seed: 1 });
  });
  afterAll(async () => {
    await proxy?.close();
  });

  it('blocks the union of the live layers after any sequence of cuts and heals, and a heal lifts no other layer\'s cut (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(changeArb, { maxLength: 12 }), async (changes) => {
        await proxy.heal();
        for (const layer of LAYERS) await clearCutLayer(proxy, layer);
        for (let i = 0; i < changes.length; i++) {
          const change = changes[i] as Change;
          const live = model(changes.slice(0, i + 1));
          const state = await apply(proxy, change);
          const expected = union(...live.values());
          expect(state.grudge).toEqual(expected);
          expect(state.others).toEqual([...live.keys()].filter((l) => l !== change.layer).sort());
          expect(cutLayers(proxy)).toEqual(live);
          const blocked = proxy.describe().blocked.sort();
          expect(blocked).toEqual(proxyLinks(expected));
          if (change.grudge === undefined) {
            // Every cut another layer makes is still in force.
            for (const [, cut] of live) for (const link of proxyLinks(cut)) expect(blocked).toContain(link);
          }
        }
        for (const layer of LAYERS) await clearCutLayer(proxy, layer);
        expect(proxy.describe().blocked).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it('puts a layer back as it was when the net refuses the union, and leaves the net as it was', async () => {
    await setCutLayer(proxy, 'partition', { n1: ['n2'] });
    await setCutLayer(proxy, 'silent-crash', { n3: ['n4'] });
    await expect(setCutLayer(proxy, 'silent-crash', { n9: ['n1'] })).rejects.toThrow(/n9/);
    expect(cutLayers(proxy)).toEqual(new Map([['partition', { n1: ['n2'] }], ['silent-crash', { n3: ['n4'] }]]));
    expect(proxy.describe().blocked).toEqual(['n2->n1', 'n4->n3']);
    // The queue goes on after a refusal.
    expect(await clearCutLayer(proxy, 'silent-crash')).toEqual({ grudge: { n1: ['n2'] }, others: ['partition'] });
    expect(await clearCutLayer(proxy, 'partition')).toEqual({ grudge: {}, others: [] });
    expect(proxy.describe().blocked).toEqual([]);
  });

  it('leaves everything to Net.heal, as a host\'s teardown calls it', async () => {
    await setCutLayer(proxy, 'partition', { n1: ['n2'] });
    await setCutLayer(proxy, 'silent-crash', { n2: ['n1'] });
    await proxy.heal();
    expect(proxy.describe().blocked).toEqual([]);
    await clearCutLayer(proxy, 'partition');
    await clearCutLayer(proxy, 'silent-crash');
  });
});

describe('cut layers under concurrent changes', () => {
  it('end with the net holding the union of the layers the last change left, however the backend\'s calls interleave (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.array(changeArb, { minLength: 1, maxLength: 8 }), async (s, changes) => {
        // A backend whose every partition takes a while, finishing in the order the scheduler picks (nft and ssh do await).
        let held: Grudge = {};
        const net: Net = {
          kind: 'scheduled',
          partition: (g) => s.schedule(Promise.resolve(g)).then((applied) => void (held = applied)),
          shape: async () => {},
          heal: async () => void (held = {}),
        };
        const results = await s.waitFor(Promise.all(changes.map((change) => apply(net, change))));
        results.forEach((state, i) => expect(state.grudge).toEqual(union(...model(changes.slice(0, i + 1)).values())));
        expect(held).toEqual(union(...model(changes).values()));
      }),
      { numRuns: 200 },
    );
  });
});

describe('othersInForce', () => {
  it('says nothing when the layer is alone, else names the others and the whole cut in force', () => {
    expect(othersInForce({ grudge: { n1: ['n2'] }, others: [] }, NODES, 'cut')).toEqual({ clause: '', value: {} });
    expect(othersInForce(undefined, NODES, 'heal')).toEqual({ clause: '', value: {} });
    const state = { grudge: { n1: ['n2'], n2: ['n1'] }, others: ['silent-crash'] };
    expect(othersInForce(state, NODES, 'heal')).toEqual({
      clause: "; silent-crash's cuts stay in force: n1 <-/-> n2",
      value: { others: ['silent-crash'], inForce: state.grudge },
    });
    expect(othersInForce(state, NODES, 'cut').clause).toBe("; with silent-crash's cuts, in force: n1 <-/-> n2");
  });
});
