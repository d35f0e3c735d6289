// The lock workload's generator under simulate(): a holder keeps the lock `--hold-ms` after its
// write before it releases, so a grant handed out too early meets a holder that is still live.
import { describe, expect, it } from 'vitest';
import type { WorkloadContext } from '../../src/api/workload.js';
import { simulate, type SimOp } from '../../src/gen/simulate.js';
import { resolveWorkloadOptions } from '../../src/runner/workload-options.js';
import { lock } from '../../workloads/lock.js';

function history(given: Record<string, number | string>, untilMs = 10_000): SimOp[] {
  const ctx: WorkloadContext = { keyCount: 1, opsPerKey: 30, concurrency: 3, rate: 100, nodes: ['n1', 'n2', 'n3'], options: resolveWorkloadOptions(lock, given) };
  let token = 0;
  // Every acquire is granted at once (one token each), every write and release succeeds in 5 ms.
  return simulate(lock.build(ctx).generator, {
    threads: ctx.concurrency,
    nodes: ctx.nodes,
    seed: 3,
    untilMs,
    complete: (op) => (op.f === 'acquire' ? { type: 'ok', value: ++token, latencyMs: 5 } : { type: 'ok', latencyMs: 5 }),
  });
}

/** Per thread, the gap from each write's completion to the invocation of the release that follows. */
function holdGaps(h: readonly SimOp[]): number[] {
  const gaps: number[] = [];
  const wroteAt = new Map<number, number>();
  for (const op of h) {
    if (op.f === 'write' && op.type === 'ok') wroteAt.set(op.thread, op.time);
    if (op.f === 'release' && op.type === 'invoke') {
      gaps.push(op.time - (wroteAt.get(op.thread) as number));
      wroteAt.delete(op.thread);
    }
  }
  return gaps;
}

describe('lock workload', () => {
  it('declares --hold-ms: 500 ms by default, a whole number of ms from 0', () => {
    expect(resolveWorkloadOptions(lock)['hold-ms']).toBe(500);
    expect(resolveWorkloadOptions(lock, { 'hold-ms': '1200' })['hold-ms']).toBe(1200);
    expect(() => resolveWorkloadOptions(lock, { 'hold-ms': '-1' })).toThrow(/at least 0/);
    expect(() => resolveWorkloadOptions(lock, { 'hold-ms': '2.5' })).toThrow(/whole number/);
  });

  it('declares --locks: 3 by default, each acquire drawing one, and a hold writes and releases the lock it acquired', () => {
    expect(resolveWorkloadOptions(lock).locks).toBe(3);
    for (const [given, keys] of [[{}, ['lock-0', 'lock-1', 'lock-2']], [{ locks: 1 }, ['lock-0']]] as const) {
      const h = history(given);
      const acquired = new Set(h.filter((op) => op.f === 'acquire').map((op) => op.key));
      expect([...acquired].sort()).toEqual(keys);
      for (const thread of [0, 1, 2]) {
        const mine = h.filter((op) => op.thread === thread && op.type === 'invoke');
        mine.forEach((op, i) => i % 3 !== 0 && expect(op.key).toBe(mine[i - (i % 3)]!.key));
      }
    }
  });

  it('keeps each lock --hold-ms after the write before releasing it', () => {
    for (const holdMs of [500, 1200]) {
      const gaps = holdGaps(history({ 'hold-ms': holdMs }));
      expect(gaps.length).toBeGreaterThan(5);
      for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(holdMs);
      // ...and no longer than a wait step past it.
      for (const gap of gaps) expect(gap).toBeLessThan(holdMs + 20);
    }
  });

  it('releases right after the write with --hold-ms 0', () => {
    const gaps = holdGaps(history({ 'hold-ms': 0 }, 1000));
    expect(gaps.length).toBeGreaterThan(5);
    for (const gap of gaps) expect(gap).toBeLessThan(20);
  });

  it('still acquires, writes with the token granted, and releases, in that order, on every thread', () => {
    const invoked = history({}).filter((op) => op.type === 'invoke');
    for (const thread of [0, 1, 2]) {
      const fs = invoked.filter((op) => op.thread === thread).map((op) => op.f);
      expect(fs.length).toBeGreaterThan(6);
      fs.forEach((f, i) => expect(f).toBe(['acquire', 'write', 'release'][i % 3]));
    }
  });
});
