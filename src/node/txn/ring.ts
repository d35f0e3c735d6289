/**
 * Consistent hashing with virtual nodes: every node owns `vnodes` points on a 32-bit ring, and a
 * key belongs to the node owning the first point at or after the key's hash (wrapping). Adding or
 * removing a node moves only the keys next to its points, and the points spread each node's share
 * evenly; `successors` gives a key's replicas (the next distinct nodes clockwise). Keys are
 * hashed by their JSON text, so `1` and `"1"` are different keys.
 */
import type { TxnScalar } from '../../api/txn.js';

/** FNV-1a, 32 bits, over the UTF-16 code units of `text`, then avalanched (murmur3's finalizer). */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export const DEFAULT_VNODES = 64;

export class Ring {
  private readonly points: number[];
  private readonly owners: string[];

  constructor(nodes: readonly string[], vnodes = DEFAULT_VNODES) {
    if (nodes.length === 0) throw new Error('a ring needs at least one node');
    const placed = nodes.flatMap((node) => Array.from({ length: vnodes }, (_, i) => ({ point: hash32(`${node}#${i}`), node })));
    // Ties (vanishingly rare) go to the node named first, so every node computes the same ring.
    placed.sort((a, b) => a.point - b.point || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
    this.points = placed.map((p) => p.point);
    this.owners = placed.map((p) => p.node);
  }

  /** The node that holds `key`'s shard. */
  owner(key: TxnScalar): string {
    return this.owners[this.firstPointAt(hash32(JSON.stringify(key)))] as string;
  }

  /**
   * The first `n` distinct nodes met walking the ring clockwise from `key`'s hash (fewer when the
   * ring has fewer nodes): where `key`'s replicas go, the first being `owner(key)`.
   */
  successors(key: TxnScalar, n: number): string[] {
    const found: string[] = [];
    const start = this.firstPointAt(hash32(JSON.stringify(key)));
    for (let k = 0; k < this.owners.length && found.length < n; k++) {
      const node = this.owners[(start + k) % this.owners.length] as string;
      if (!found.includes(node)) found.push(node);
    }
    return found;
  }

  /** The index of the first point at or after `h`, wrapping to 0 past the last. */
  private firstPointAt(h: number): number {
    let lo = 0;
    let hi = this.points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.points[mid] as number) < h) lo = mid + 1;
      else hi = mid;
    }
    return lo === this.points.length ? 0 : lo;
  }
}
