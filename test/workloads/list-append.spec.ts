// The list-append workload's generators under simulate(): the shape of every transaction, values
// unique per key, the bound on appends per key whatever the rate and latencies, every thread on
// the same keys at the same time, final reads of every key through every node, and histories
// completed by a serial in-memory store judged valid by the elle checker it carries.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Invocation } from '../../src/api/client.js';
import type { Op } from '../../src/api/op.js';
import type { WorkloadContext } from '../../src/api/workload.js';
import { simulate, type SimCompletion, type SimOp } from '../../src/gen/simulate.js';
import { resolveWorkloadOptions } from '../../src/runner/workload-options.js';
import { appendWindowMs, appendsPerThread, listAppend, readTxns, txnShape } from '../../workloads/list-append.js';
import { rwRegister } from '../../workloads/rw-register.js';
import { finalKeys } from '../../workloads/register.js';

type Mop = [string, number, unknown];

function build(over: Partial<WorkloadContext> = {}, options: Record<string, number | string> = {}) {
  const ctx: WorkloadContext = {
    keyCount: 3,
    opsPerKey: 30,
    concurrency: 8,
    rate: 100,
    nodes: ['n1', 'n2', 'n3', 'n4', 'n5'],
    options: resolveWorkloadOptions(listAppend, options),
    ...over,
  };
  return { ctx, workload: listAppend.build(ctx), windowMs: appendWindowMs(txnShape(ctx), ctx.rate) };
}

const invokes = (h: readonly SimOp[]): SimOp[] => h.filter((o) => o.type === 'invoke');
const mops = (o: SimOp): Mop[] => o.value as Mop[];

/** A serial store of lists (or registers): each transaction takes effect at its invocation, in invocation order. */
function serialStore(registers = false): (op: Invocation) => SimCompletion {
  const lists = new Map<number, number[]>();
  return (op) => {
    const value = (op.value as Mop[]).map(([f, k, v]): Mop => {
      if (f !== 'r') {
        lists.set(k, registers ? [v as number] : [...(lists.get(k) ?? []), v as number]);
        return [f, k, v];
      }
      const list = lists.get(k);
      return [f, k, !list ? null : registers ? list[0] : [...list]];
    });
    return { type: 'ok', value, latencyMs: 3 };
  };
}

function toHistory(sim: readonly SimOp[]): Op[] {
  return sim.map((o, index) => ({ index, time: o.time * 1e6, type: o.type, process: o.process, f: o.f, value: o.value }));
}

describe('list-append workload', () => {
  it('transactions of 1-4 appends and reads, reads sent as null, values unique per key', () => {
    const { ctx, workload } = build();
    const ops = invokes(simulate(workload.generator, { threads: ctx.concurrency, nodes: ctx.nodes, seed: 3, gapMs: 80, untilMs: 20_000 }));
    expect(ops.length).toBeGreaterThan(1000);
    const seen = new Set<string>();
    const lengths = new Set<number>();
    for (const o of ops) {
      expect(o.f).toBe('txn');
      lengths.add(mops(o).length);
      for (const [f, k, v] of mops(o)) {
        expect(['append', 'r']).toContain(f);
        if (f === 'r') expect(v).toBeNull();
        else {
          const id = `${k}/${String(v)}`;
          expect(seen.has(id)).toBe(false);
          seen.add(id);
        }
      }
    }
    expect([...lengths].sort()).toEqual([1, 2, 3, 4]);
  });

  it('property: no key takes more than max-writes-per-key appends, all threads use the keys of the moment, values stay unique', () => {
    fc.assert(
      fc.property(
        fc.record({
          threads: fc.integer({ min: 1, max: 12 }),
          keyCount: fc.integer({ min: 1, max: 6 }),
          maxWrites: fc.integer({ min: 1, max: 64 }),
          rate: fc.integer({ min: 5, max: 5000 }),
          latency: fc.integer({ min: 1, max: 500 }),
          seed: fc.integer(),
        }),
        ({ threads, keyCount, maxWrites, rate, latency, seed }) => {
          const { workload, windowMs } = build({ concurrency: threads, keyCount, rate }, { 'max-writes-per-key': maxWrites });
          const history = simulate(workload.generator, { threads, seed, gapMs: (1000 * threads) / rate, untilMs: 4000, complete: () => ({ type: 'ok', latencyMs: latency }) });
          const appends = new Map<number, Set<unknown>>();
          for (const o of invokes(history)) {
            const window = Math.floor(o.time / windowMs);
            for (const [f, k, v] of mops(o)) {
              expect(k >= window * keyCount && k < (window + 1) * keyCount).toBe(true);
              if (f !== 'append') continue;
              const values = appends.get(k) ?? new Set();
              expect(values.has(v)).toBe(false);
              appends.set(k, values.add(v));
            }
          }
          const bound = Math.max(maxWrites, threads * appendsPerThread(maxWrites, threads));
          for (const values of appends.values()) expect(values.size).toBeLessThanOrEqual(bound);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('every thread contends on the same keys: each window sees every thread on its keys', () => {
    const { ctx, workload, windowMs } = build();
    const ops = invokes(simulate(workload.generator, { threads: ctx.concurrency, nodes: ctx.nodes, seed: 11, gapMs: 80, untilMs: 5 * windowMs }));
    for (let w = 0; w < 5; w++) {
      const inWindow = ops.filter((o) => Math.floor(o.time / windowMs) === w);
      expect(new Set(inWindow.map((o) => o.thread)).size).toBe(ctx.concurrency);
    }
  });

  it('property: histories a serial store completes are valid for elle (strict serializable)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.record({ threads: fc.integer({ min: 1, max: 10 }), keyCount: fc.integer({ min: 1, max: 5 }), seed: fc.integer() }), async ({ threads, keyCount, seed }) => {
        const { workload } = build({ concurrency: threads, keyCount });
        const sim = simulate(workload.generator, { threads, seed, gapMs: 20, untilMs: 3000, complete: serialStore() });
        const result = await (workload.checkers['elle'] as { check: (h: Op[], o: object) => Promise<{ valid: unknown }> }).check(toHistory(sim), {});
        expect(result.valid).toBe(true);
      }),
      { numRuns: 25 },
    );
  });

  it('rw-register: the same transactions with register writes, valid for elle when a serial store completes them', async () => {
    const ctx: WorkloadContext = { keyCount: 3, opsPerKey: 30, concurrency: 6, rate: 100, nodes: ['n1', 'n2', 'n3'], options: resolveWorkloadOptions(rwRegister) };
    const workload = rwRegister.build(ctx);
    const sim = simulate(workload.generator, { threads: 6, seed: 9, gapMs: 20, untilMs: 3000, complete: serialStore(true) });
    const fs = new Set(invokes(sim).flatMap((o) => mops(o).map(([f]) => f)));
    expect([...fs].sort()).toEqual(['r', 'w']);
    const result = await (workload.checkers['elle'] as { check: (h: Op[], o: object) => Promise<{ valid: unknown }> }).check(toHistory(sim), {});
    expect(result.valid).toBe(true);
  });

  it('the final phase reads every key of the run once through every node, in transactions of reads', () => {
    const { ctx, workload, windowMs } = build();
    const start = 20_000;
    const history = simulate(workload.finalGenerator!, { threads: ctx.concurrency, nodes: ctx.nodes, seed: 5, phase: 'final', startMs: start });
    const keys = finalKeys(start, windowMs, ctx.keyCount).map(Number);
    for (const node of ctx.nodes) {
      const read = invokes(history)
        .filter((o) => ctx.nodes[o.thread % ctx.nodes.length] === node)
        .flatMap((o) => mops(o).map(([f, k]) => (f === 'r' ? k : -1)));
      expect(read.sort((a, b) => a - b)).toEqual([...keys].sort((a, b) => a - b));
    }
  });

  it('a failed final read is asked again until it answers', () => {
    const { ctx, workload } = build({ concurrency: 1, nodes: ['n1'] });
    let failures = 2;
    const history = simulate(workload.finalGenerator!, {
      threads: 1,
      nodes: ctx.nodes,
      seed: 1,
      phase: 'final',
      startMs: 0,
      complete: () => (failures-- > 0 ? { type: 'fail', error: 'locked', latencyMs: 1 } : { type: 'ok', latencyMs: 1 }),
    });
    expect(history.filter((o) => o.type === 'fail')).toHaveLength(2);
    expect(invokes(history)).toHaveLength(2 + readTxns(finalKeys(0, 1000, ctx.keyCount).map(Number), 4).length);
  });

  it('refuses a minimum length above the maximum', () => {
    expect(() => build({}, { 'min-txn-length': 5, 'max-txn-length': 2 })).toThrow(/min-txn-length 5 is above --max-txn-length 2/);
  });
});
