/**
 * Partition shapes as pure data. A nemesis picks a shape, this module turns it into a concrete
 * `Grudge` (for each node, the nodes whose messages it drops), and any `Net` enforces it. Keeping
 * the shapes pure means a schedule computed from a seed is the whole story of a run's partitions,
 * and every shape can be tested by value.
 */
import type { Grudge, Link } from '../api/net.js';
import type { Rng } from '../gen/rng.js';

const collator = new Intl.Collator('en', { numeric: true });
/** Joins node names into a set key; cannot occur in a name. */
const SEP = '\u0000';

/** Natural order of node names (`n2` before `n10`); a total order, ties broken by code units. */
export function byName(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

function sortedSet(items: Iterable<string>): string[] {
  return [...new Set(items)].sort(byName);
}

/** Every node a grudge mentions, as a key or in a list, in natural order. */
export function grudgeNodes(grudge: Grudge): string[] {
  return sortedSet(Object.entries(grudge).flatMap(([node, drops]) => [node, ...drops]));
}

/** The canonical form of a grudge: no self-drops, no duplicates, no empty lists, lists sorted. */
export function normalize(grudge: Grudge): Grudge {
  const out: Grudge = {};
  for (const node of Object.keys(grudge).sort(byName)) {
    const drops = sortedSet((grudge[node] ?? []).filter((other) => other !== node));
    if (drops.length > 0) out[node] = drops;
  }
  return out;
}

/**
 * The directed links a grudge cuts: `{from: y, to: x}` for every `y` in `grudge[x]`, sorted by
 * receiver then sender. Self-drops are ignored.
 */
export function cutLinks(grudge: Grudge): Link[] {
  const g = normalize(grudge);
  return Object.keys(g).flatMap((to) => (g[to] ?? []).map((from) => ({ from, to })));
}

/** Whether every cut is two-way (`y` in `g[x]` exactly when `x` in `g[y]`). */
export function isSymmetric(grudge: Grudge): boolean {
  const g = normalize(grudge);
  return cutLinks(g).every(({ from, to }) => (g[from] ?? []).includes(to));
}

/** The union of several grudges: a message is dropped when any of them drops it. */
export function union(...grudges: Grudge[]): Grudge {
  const out: Record<string, string[]> = {};
  for (const g of grudges) {
    for (const [node, drops] of Object.entries(g)) out[node] = [...(out[node] ?? []), ...drops];
  }
  return normalize(out);
}

/**
 * A complete partition: every node drops messages from every node outside its own component.
 * Every node of every component is a key (with an empty list when there is one component).
 * @throws if a node appears in two components.
 */
export function complete(components: readonly (readonly string[])[]): Grudge {
  const all = components.flat();
  if (new Set(all).size !== all.length) throw new Error('complete: a node is in two components');
  const out: Grudge = {};
  for (const component of components) {
    const inside = new Set(component);
    for (const node of component) out[node] = sortedSet(all.filter((n) => !inside.has(n)));
  }
  return out;
}

/** Split a list into two halves, the first the smaller when the length is odd (order kept). */
export function bisect<T>(nodes: readonly T[]): [T[], T[]] {
  const cut = Math.floor(nodes.length / 2);
  return [nodes.slice(0, cut), nodes.slice(cut)];
}

/** Cut the nodes into two random halves (minority and majority when the count is odd). */
export function randomHalves(nodes: readonly string[], rng: Rng): Grudge {
  return complete(bisect(rng.shuffle(nodes)));
}

/**
 * Cut one node off from all the others. `node` need not be in `nodes`: `isolate(nodes, CLIENTS)`
 * cuts the clients off from every node.
 */
export function isolate(nodes: readonly string[], node: string): Grudge {
  return complete([[node], nodes.filter((n) => n !== node)]);
}

/**
 * One-way cuts: every node in `to` drops messages from every node in `from`; traffic the other
 * way is untouched. `oneWay('a', 'b')` is `{b: ['a']}`.
 */
export function oneWay(from: string | readonly string[], to: string | readonly string[]): Grudge {
  const senders = typeof from === 'string' ? [from] : from;
  const receivers = typeof to === 'string' ? [to] : to;
  const out: Grudge = {};
  for (const r of receivers) out[r] = senders.filter((s) => s !== r);
  return normalize(out);
}

/**
 * Swap between "whom each node drops" and "whom each node hears" over `nodes`: each node maps to
 * the nodes (other than itself) that are not in its list. Applying it twice gives the normalized
 * input back, restricted to `nodes`, with every node a key (lists may be empty).
 */
export function invert(map: Grudge, nodes: readonly string[]): Grudge {
  const out: Grudge = {};
  for (const node of nodes) {
    const listed = new Set(map[node] ?? []);
    out[node] = sortedSet(nodes.filter((n) => n !== node && !listed.has(n)));
  }
  return out;
}

/**
 * A majorities ring (after Jepsen's shape): nodes are shuffled onto a ring and each node hears
 * only its ring neighbours within distance k, where 2k+1 is the smallest odd number that is at
 * least a strict majority. So every node hears a majority (counting itself), cuts are symmetric,
 * and no two nodes hear the same set. Three nodes are too few for a ring (every window would be
 * everyone), so for n = 3 one ring edge is cut instead: the ends each hear a different majority
 * through the middle node.
 * @throws RangeError when there are fewer than 3 nodes.
 */
export function majoritiesRing(nodes: readonly string[], rng: Rng): Grudge {
  const n = nodes.length;
  if (n < 3) throw new RangeError(`majoritiesRing needs at least 3 nodes, got ${n}`);
  const ring = rng.shuffle(nodes);
  if (n === 3) {
    const [, a, b] = ring as [string, string, string];
    return { ...complete([ring]), [a]: [b], [b]: [a] };
  }
  const majority = Math.floor(n / 2) + 1;
  const k = Math.ceil((majority - 1) / 2);
  const hears: Grudge = {};
  ring.forEach((node, i) => {
    const near: string[] = [];
    for (let d = 1; d <= k; d++) near.push(ring[(i + d) % n] as string, ring[(i - d + n) % n] as string);
    hears[node] = near;
  });
  return invert(hears, ring);
}

/**
 * Two halves that cannot hear each other, joined by one bridge node (the first of the second,
 * larger half) that hears and is heard by everyone. Deterministic: shuffle first for a random one.
 * @throws RangeError when there are fewer than 3 nodes.
 */
export function bridge(nodes: readonly string[]): Grudge {
  if (nodes.length < 3) throw new RangeError(`bridge needs at least 3 nodes, got ${nodes.length}`);
  const [left, right] = bisect(nodes);
  const middle = right[0] as string;
  const out = complete([left, right]);
  for (const node of Object.keys(out)) {
    out[node] = node === middle ? [] : (out[node] ?? []).filter((n) => n !== middle);
  }
  return out;
}

/**
 * The components of a grudge when it is a complete partition over `nodes` plus every node it
 * mentions, even with an empty list (each node hears exactly the nodes of its own component);
 * `undefined` otherwise.
 * Components are sorted, and ordered by their first node.
 */
export function componentsOf(grudge: Grudge, nodes: readonly string[] = []): string[][] | undefined {
  const g = normalize(grudge);
  const all = sortedSet([...nodes, ...grudgeNodes(grudge)]);
  const hears = new Map<string, string>();
  for (const node of all) {
    const drops = new Set(g[node] ?? []);
    hears.set(node, all.filter((n) => !drops.has(n)).join(SEP));
  }
  const seen = new Map<string, string[]>();
  for (const node of all) {
    const key = hears.get(node) as string;
    const group = key.split(SEP);
    for (const other of group) if (hears.get(other) !== key) return undefined;
    if (!seen.has(key)) seen.set(key, group);
  }
  return [...seen.values()];
}

/**
 * A one-line description for logs and results: `n1,n2 | n3,n4,n5` for a complete partition,
 * otherwise the cut links, `a <-/-> b` when cut both ways and `a -/-> b` when only a's messages
 * to b are dropped. Nodes the grudge leaves untouched count when they are keys with empty lists
 * or are named in `nodes`, so a partial cut is not mistaken for a complete partition. An empty
 * grudge is `no partition`.
 */
export function describeGrudge(grudge: Grudge, nodes: readonly string[] = []): string {
  const g = normalize(grudge);
  if (Object.keys(g).length === 0) return 'no partition';
  const components = componentsOf(grudge, nodes);
  if (components && components.length > 1) return components.map((c) => c.join(',')).join(' | ');
  const parts: string[] = [];
  const links = cutLinks(g).sort((x, y) => byName(x.from, y.from) || byName(x.to, y.to));
  for (const { from, to } of links) {
    const back = (g[from] ?? []).includes(to);
    if (!back) parts.push(`${from} -/-> ${to}`);
    else if (byName(from, to) < 0) parts.push(`${from} <-/-> ${to}`);
  }
  return parts.join(', ');
}
