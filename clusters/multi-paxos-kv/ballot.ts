/**
 * Ballot numbers. Every node draws its ballots from its own residue class: ballot b belongs to
 * node `nodes[b mod n]`, so no two nodes ever use the same ballot, and a single number orders
 * them (what a node reports as its `term`). 0 is no ballot.
 */

/** The smallest ballot above `above` that belongs to the node at `index` of `n`. */
export function nextBallot(above: number, index: number, n: number): number {
  const b = Math.floor(above / n) * n + index;
  return b > above ? b : b + n;
}

/** The node a ballot belongs to. */
export function ballotOwner(ballot: number, nodes: readonly string[]): string {
  return nodes[ballot % nodes.length]!;
}
