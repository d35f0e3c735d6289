/** Node names of a cluster of `count` nodes: n1, n2, ... */
export function nodeNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `n${i + 1}`);
}
