/**
 * A list-append history that is one enormous strongly connected component, for the `elle`
 * benchmark's worst case: n transactions in a ring, each reading what the one before it
 * appended (write-read edges all the way round), with anti-dependency chords seven ahead.
 *
 * Why this shape: every cycle of data dependencies goes all the way round the ring, so the
 * shortest G1c and G-single cycles are n transactions long, and proving G2-item absent means
 * exploring the whole component from many starts: a search without a budget would run for
 * hours. The checker must still answer, invalid, naming what it found within its budget.
 * Transactions run `processes` at a time, so real-time order adds short cycles too.
 */
import type { Op } from '../src/api/op.js';

export function ringHistory(n: number, processes = 10): Op[] {
  const mops = (i: number): [string, unknown, unknown][] => [
    ['r', `ring-${i}`, [1]],
    ['append', `ring-${(i + 1) % n}`, 1],
    ['r', `chord-${i}`, null],
    ['append', `chord-${(i - 7 + n) % n}`, 1],
  ];
  const ops: Op[] = [];
  const push = (type: Op['type'], i: number): void => {
    const value = type === 'invoke' ? mops(i).map((m) => (m[0] === 'r' ? ['r', m[1], null] : m)) : mops(i);
    ops.push({ index: ops.length, time: ops.length * 10_000, type, process: i % processes, f: 'txn', value });
  };
  for (let i = 0; i < n + processes; i++) {
    if (i >= processes) push('ok', i - processes);
    if (i < n) push('invoke', i);
  }
  return ops;
}
