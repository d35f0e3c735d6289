/**
 * A PN-counter (a state-based CRDT): per node, the total of its increments (P) and of its
 * decrements (N). Only a node itself raises its own entries; replicas merge by taking the maximum
 * of each entry, which is commutative, associative and idempotent, so gossip in any order, any
 * number of times, converges. The value is ΣP − ΣN.
 */

export interface PnState {
  p: Record<string, number>;
  n: Record<string, number>;
}

export const emptyState = (): PnState => ({ p: {}, n: {} });

/** The counter's value in `state`. */
export function valueOf(state: PnState): number {
  const sum = (m: Record<string, number>): number => Object.values(m).reduce((a, b) => a + b, 0);
  return sum(state.p) - sum(state.n);
}

/** Record `delta` (either sign) made at `node`. */
export function addAt(state: PnState, node: string, delta: number): void {
  const side = delta >= 0 ? state.p : state.n;
  side[node] = (side[node] ?? 0) + Math.abs(delta);
}

/**
 * Merge `incoming` into `state`: the maximum per entry, or with `sum` (the double-apply bug) the
 * sum per entry, as if `incoming` held increments not yet seen.
 */
export function mergeInto(state: PnState, incoming: PnState, sum = false): void {
  for (const side of ['p', 'n'] as const) {
    for (const [node, count] of Object.entries(incoming[side])) {
      const mine = state[side][node] ?? 0;
      state[side][node] = sum ? mine + count : Math.max(mine, count);
    }
  }
}

/** Is `x` a PN-counter state (maps of node → non-negative finite number)? */
export function isPnState(x: unknown): x is PnState {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Record<string, unknown>;
  const isSide = (m: unknown): boolean =>
    typeof m === 'object' && m !== null && Object.values(m).every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0);
  return isSide(r.p) && isSide(r.n);
}
