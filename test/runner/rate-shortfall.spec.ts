/**
 * The rate-shortfall line names what limited the run from measurements: the harness's own CPU
 * (then more clients would not help), the machine's CPUs, too few clients for the cluster's
 * latency, or operations stalled on the cluster; and no cause when none shows.
 */
import { describe, expect, it } from 'vitest';
import { rateShortfall, type WorkerStats } from '../../src/runner/worker-load.js';

/** 10 s of 10 clients; `perOp` ms waited per operation. */
function stats(over: Partial<WorkerStats>): WorkerStats {
  return { invoked: 200_000, elapsedMs: 10_000, waitingMs: 10 * 10_000 * 0.95, indeterminate: 0, harnessCpuMs: 2_000, machineBusy: 0.5, cores: 2, loopDelayMeanMs: 1, loopDelayP99Ms: 3, ...over };
}

describe('rateShortfall', () => {
  it('says nothing when the rate was kept', () => {
    expect(rateShortfall(stats({ invoked: 9_500 }), 1000, 10)).toBeUndefined();
  });

  it('blames the harness when its thread was saturated, whatever the clients waited (memory-kv, --rate 1000000)', () => {
    // The case: clients always busy at ~0.4 ms, because the harness itself is the slow part.
    const line = rateShortfall(stats({ invoked: 196_630, harnessCpuMs: 9_700, loopDelayMeanMs: 2 }), 1_000_000, 10);
    expect(line).toMatch(/^requested 1000000 ops\/s, achieved 19663: the harness was the bottleneck \(its process used 97 % of a CPU core, 49\.3 µs per operation/);
    expect(line).toContain('more clients would not help');
    expect(line).not.toContain('--concurrency');
    expect(rateShortfall(stats({ invoked: 201_320, harnessCpuMs: 9_900 }), 1_000_000, 50)).toMatch(/the harness was the bottleneck/);
  });

  it('blames the machine when every core was busy and the harness was not', () => {
    expect(rateShortfall(stats({ invoked: 50_000, harnessCpuMs: 4_000, machineBusy: 0.97 }), 10_000, 10)).toMatch(/the machine's CPUs were saturated \(97 % busy over 2 cores; the harness used 40 % of one core\)/);
  });

  it('asks for more clients when they were always waiting and their latency caps the rate', () => {
    const line = rateShortfall(stats({ invoked: 10_000, waitingMs: 99_000, harnessCpuMs: 500 }), 5000, 10);
    expect(line).toBe('requested 5000 ops/s, achieved 1000: too few clients: each waited 9.9 ms per operation on the cluster, so 10 clients can do about 1010 ops/s (raise --concurrency)');
  });

  it('blames slow or stalled operations when enough clients were waiting on timeouts', () => {
    expect(rateShortfall(stats({ invoked: 500, waitingMs: 99_000, harnessCpuMs: 100, indeterminate: 40 }), 100, 10)).toBe(
      'requested 100 ops/s, achieved 50: clients were waiting on the cluster (mean latency 198 ms, 40 of them timing out or cut off)',
    );
  });

  it('names no cause when the measurements show none', () => {
    expect(rateShortfall(stats({ invoked: 5_000, waitingMs: 1_000, harnessCpuMs: 500 }), 1000, 10)).toBe('requested 1000 ops/s, achieved 500');
  });
});
