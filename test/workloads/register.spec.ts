// The register workload's generator under simulate(): every thread works on the same keys at
// the same time, however unevenly the threads progress (a thread stuck on a node that cannot
// commit does not drift onto keys nobody else touches); readers only read; the final phase
// reads every key once through every node. Regression test for stale reads that went
// unseen because threads drifted apart in their key windows.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WorkloadContext } from '../../src/api/workload.js';
import { simulate, type SimOp } from '../../src/gen/simulate.js';
import { resolveWorkloadOptions } from '../../src/runner/workload-options.js';
import { FINAL_WINDOWS, finalKeys, keysAt, keyWindowMs, readersOnNode, register, roleOf } from '../../workloads/register.js';

function build(over: Partial<WorkloadContext> = {}): { ctx: WorkloadContext; workload: ReturnType<typeof register.build> } {
  const ctx: WorkloadContext = {
    keyCount: 3,
    opsPerKey: 30,
    concurrency: 10,
    rate: 100,
    nodes: ['n1', 'n2', 'n3', 'n4', 'n5'],
    options: resolveWorkloadOptions(register),
    ...over,
  };
  return { ctx, workload: register.build(ctx) };
}

const invokes = (h: readonly SimOp[]): SimOp[] => h.filter((o) => o.type === 'invoke');

describe('register workload', () => {
  it('a short run puts all threads on the same keys at the same time, even when some threads are slowed down', () => {
    const { ctx, workload } = build();
    const windowMs = keyWindowMs(ctx);
    expect(windowMs).toBe(9000);
    // Threads bound to n1 (a deposed leader, say) wait 1 s on every write; the others answer at once.
    const history = simulate(workload.generator, {
      threads: ctx.concurrency,
      nodes: ctx.nodes,
      seed: 7,
      gapMs: (1000 * ctx.concurrency) / ctx.rate,
      untilMs: 30_000,
      complete: (op, g) => (g.node === 'n1' && op.f !== 'read' ? { type: 'info', error: 'timeout', latencyMs: 1000 } : { type: 'ok', latencyMs: 5 }),
    });
    const ops = invokes(history);
    for (const o of ops) expect(keysAt(o.time, windowMs, ctx.keyCount)).toContain(o.key);
    // In every window every thread touched that window's keys, the slowed ones included.
    for (let w = 0; w < 3; w++) {
      const inWindow = ops.filter((o) => Math.floor(o.time / windowMs) === w);
      expect(new Set(inWindow.map((o) => o.thread)).size).toBe(ctx.concurrency);
      expect(new Set(inWindow.map((o) => o.key))).toEqual(new Set(keysAt(w * windowMs, windowMs, ctx.keyCount)));
    }
  });

  it('property: at any moment, whatever the rate, latencies and shape, all keys in use are the keys of that moment', () => {
    fc.assert(
      fc.property(
        fc.record({ threads: fc.integer({ min: 1, max: 12 }), keyCount: fc.integer({ min: 1, max: 5 }), opsPerKey: fc.integer({ min: 1, max: 50 }), rate: fc.integer({ min: 5, max: 5000 }), seed: fc.integer() }),
        ({ threads, keyCount, opsPerKey, rate, seed }) => {
          const { ctx, workload } = build({ concurrency: threads, keyCount, opsPerKey, rate });
          const windowMs = keyWindowMs(ctx);
          const history = simulate(workload.generator, {
            threads,
            seed,
            gapMs: (1000 * threads) / rate,
            untilMs: 3 * windowMs,
            maxOps: 200_000,
            complete: (_op, _g, rng) => ({ type: rng.pick(['ok', 'ok', 'fail', 'info'] as const), latencyMs: rng.int(2000) }),
          });
          for (const o of invokes(history)) expect(keysAt(o.time, windowMs, keyCount)).toContain(o.key);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('reserves readers on every node (half of each node\'s threads by default: one per node with 10 threads on 5 nodes); the others write and cas', () => {
    const { ctx, workload } = build();
    const history = simulate(workload.generator, { threads: 10, nodes: ctx.nodes, seed: 3, untilMs: 2000, gapMs: 100 });
    for (const o of invokes(history)) {
      if (o.thread < 5) expect(o.f).toBe('read');
      else expect(['write', 'cas']).toContain(o.f);
    }
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((t) => roleOf(t, 10, 5, 0.5))).toEqual([...Array(5).fill('reader'), ...Array(5).fill('updater')]);
    // 8 threads on 5 nodes: n4 and n5 have one thread each, which does everything.
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((t) => roleOf(t, 8, 5, 0.5))).toEqual(['reader', 'reader', 'reader', 'all', 'all', 'updater', 'updater', 'updater']);
    expect(readersOnNode(1, 0.5)).toBe(0);
    expect(readersOnNode(2, 0.1)).toBe(0);
    expect(readersOnNode(4, 1)).toBe(3);
    // A thread alone on its node (or no readers at all): every thread reads, writes and cas.
    for (const [threads, nodes, share] of [[2, ['n1', 'n2'], 0.5], [2, ['n1'], 0]] as const) {
      const { workload: mixed } = build({ concurrency: threads, nodes, options: resolveWorkloadOptions(register, { readers: share }) });
      const seen = new Set(invokes(simulate(mixed.generator, { threads, nodes, seed: 1, untilMs: 5000, gapMs: 10 })).filter((o) => o.thread === 0).map((o) => o.f));
      expect(seen).toEqual(new Set(['read', 'write', 'cas']));
    }
  });

  it('the final phase reads every key of the run once through every node, each until it is ok', () => {
    const { ctx, workload } = build();
    const windowMs = keyWindowMs(ctx);
    const start = 35_500;
    let n = 0;
    const history = simulate(workload.finalGenerator!, {
      threads: 10,
      nodes: ctx.nodes,
      seed: 1,
      phase: 'final',
      startMs: start,
      complete: () => ({ type: ++n % 3 === 0 ? 'ok' : 'fail', latencyMs: 2 }),
    });
    const wanted = finalKeys(start, windowMs, 3);
    expect(wanted).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11']);
    expect(history.every((o) => o.f === 'read')).toBe(true);
    for (const node of ctx.nodes) {
      const threads = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].filter((t) => ctx.nodes[t % 5] === node);
      const ok = history.filter((o) => threads.includes(o.thread) && o.type === 'ok').map((o) => o.key as string);
      expect(ok.sort()).toEqual([...wanted].sort());
    }
    // A long run reads the last FINAL_WINDOWS windows only.
    expect(finalKeys(1000 * windowMs + 1, windowMs, 3)).toHaveLength(FINAL_WINDOWS * 3);
  });

  it('checks with linearizability and stats', () => {
    expect(Object.keys(build().workload.checkers)).toEqual(['linearizable', 'stats']);
  });
});
