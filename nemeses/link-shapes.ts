/**
 * Layered link shaping, so the `latency` and `loss` nemeses can run together (and beside
 * `partition`) without undoing each other. A `Net` holds one shape per link and `shape()`
 * replaces it; here each nemesis owns a layer, a link's shape is its layers merged, and
 * clearing a layer re-applies what the others still want. Clearing uses `shape({}, links)`,
 * never `Net.heal()`, which would also lift a partition another nemesis has in force. Cuts are
 * layered the same way (src/net/cut-layers.ts).
 */
import type { Link, LinkShape, Net } from '../src/api/net.js';

/** Per net: link key → layer name → that layer's shape on the link. */
const ledgers = new WeakMap<Net, Map<string, Map<string, LinkShape>>>();

const SEP = '->';
const keyOf = (link: Link): string => `${link.from}${SEP}${link.to}`;
const linkOf = (key: string): Link => {
  const [from, to] = key.split(SEP) as [string, string];
  return { from, to };
};

/** Every directed link between nodes (`around` given: only links to or from that node). */
export function nodeLinks(nodes: readonly string[], around?: string): Link[] {
  const links: Link[] = [];
  for (const from of nodes) {
    for (const to of nodes) {
      if (from !== to && (around === undefined || from === around || to === around)) links.push({ from, to });
    }
  }
  return links;
}

function ledgerOf(net: Net): Map<string, Map<string, LinkShape>> {
  let ledger = ledgers.get(net);
  if (!ledger) {
    ledger = new Map();
    ledgers.set(net, ledger);
  }
  return ledger;
}

/** Push the merged shape of each of `keys` to the net, one call per distinct shape. */
async function apply(net: Net, ledger: Map<string, Map<string, LinkShape>>, keys: Iterable<string>): Promise<void> {
  const byShape = new Map<string, { shape: LinkShape; links: Link[] }>();
  for (const key of new Set(keys)) {
    const layers = ledger.get(key);
    const shape: LinkShape = Object.assign({}, ...(layers?.values() ?? []));
    if (layers && layers.size === 0) ledger.delete(key);
    const id = JSON.stringify(shape);
    const group = byShape.get(id) ?? { shape, links: [] };
    group.links.push(linkOf(key));
    byShape.set(id, group);
  }
  for (const { shape, links } of byShape.values()) await net.shape(shape, links);
}

/** Remove `layer` everywhere; the keys of the links it was on. */
function remove(ledger: Map<string, Map<string, LinkShape>>, layer: string): string[] {
  const keys: string[] = [];
  for (const [key, layers] of ledger) if (layers.delete(layer)) keys.push(key);
  return keys;
}

/** Make `layer` exactly `shape` on `links` (and absent from every other link). */
export async function setLayer(net: Net, layer: string, shape: LinkShape, links: readonly Link[]): Promise<void> {
  const ledger = ledgerOf(net);
  const touched = remove(ledger, layer);
  for (const link of links) {
    const key = keyOf(link);
    const layers = ledger.get(key) ?? new Map<string, LinkShape>();
    layers.set(layer, shape);
    ledger.set(key, layers);
    touched.push(key);
  }
  await apply(net, ledger, touched);
}

/** Remove `layer` from every link; other layers stay in force. Safe to repeat. */
export async function clearLayer(net: Net, layer: string): Promise<void> {
  const ledger = ledgerOf(net);
  await apply(net, ledger, remove(ledger, layer));
}
