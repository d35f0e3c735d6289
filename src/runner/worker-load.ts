/**
 * What a phase of client workers cost and what limited its rate: the harness's CPU, the whole
 * machine's CPU, the event loop's delay, and time spent waiting on the cluster.
 *
 * Why apart from the workers: the workers decide when to invoke operations; this module only
 * measures and reasons about the measurements, and `rateShortfall` is tested on plain figures.
 */
import { cpus } from 'node:os';
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';

/** Sampling interval of the event-loop delay monitor; its readings include this interval. */
const LOOP_RESOLUTION_MS = 10;

/** What the workers did, for the achieved rate and for telling why it fell short. */
export interface WorkerStats {
  /** Operations invoked, over all threads. */
  invoked: number;
  /** Milliseconds from the start of the workers until `stop` fired (or every stream ended). */
  elapsedMs: number;
  /** Milliseconds threads spent waiting for completions, summed over threads. */
  waitingMs: number;
  /** Operations that timed out or lost their connection (recorded as `info`). */
  indeterminate: number;
  /** CPU time of the harness process (clients, fault proxy, journal) over `elapsedMs`. */
  harnessCpuMs: number;
  /** Share of the whole machine's CPU time (all cores) that was busy over `elapsedMs`, 0..1. */
  machineBusy: number;
  /** Cores of the machine. */
  cores: number;
  /** Mean and 99th percentile delay of the harness's event loop, in milliseconds. */
  loopDelayMeanMs: number;
  loopDelayP99Ms: number;
}

/** Busy and total CPU time of the whole machine so far, in ms summed over cores. */
function machineCpu(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    const all = times.user + times.nice + times.sys + times.idle + times.irq;
    busy += all - times.idle;
    total += all;
  }
  return { busy, total };
}

/** The figures of `WorkerStats` that the meter measures (the workers count the rest). */
export type LoadReading = Omit<WorkerStats, 'invoked' | 'waitingMs' | 'indeterminate'>;

/**
 * Measures one phase from its creation: CPU over the window until `stopped` is first called,
 * event-loop delay until `reading`.
 */
export class LoadMeter {
  readonly t0 = performance.now();
  private readonly loop: IntervalHistogram;
  private readonly cpu0 = process.cpuUsage();
  private readonly machine0 = machineCpu();
  private window: Pick<WorkerStats, 'elapsedMs' | 'harnessCpuMs' | 'machineBusy'> | undefined;

  constructor() {
    this.loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    this.loop.enable();
  }

  /** The phase's stop fired (or every stream ended): close the CPU window, once. */
  stopped(): void {
    if (this.window) return;
    const cpu = process.cpuUsage(this.cpu0);
    const machine = machineCpu();
    const total = machine.total - this.machine0.total;
    this.window = {
      elapsedMs: performance.now() - this.t0,
      harnessCpuMs: (cpu.user + cpu.system) / 1000,
      machineBusy: total > 0 ? (machine.busy - this.machine0.busy) / total : 0,
    };
  }

  /** The figures, once the phase is over (stops the event-loop monitor). */
  reading(): LoadReading {
    this.stopped();
    this.loop.disable();
    const ms = (ns: number): number => (Number.isFinite(ns) ? Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS) : 0);
    return { ...this.window!, cores: cpus().length, loopDelayMeanMs: ms(this.loop.mean), loopDelayP99Ms: ms(this.loop.percentile(99)) };
  }
}

/** The harness counts as the bottleneck from this share of one core on (Node runs clients on one thread). */
const HARNESS_SATURATED = 0.8;
/** The machine counts as saturated from this share of all its cores on. */
const MACHINE_SATURATED = 0.9;
/** Clients count as always busy from this share of the time spent waiting on completions. */
const CLIENTS_BUSY = 0.8;

/**
 * A warning when the workers achieved less than 90 % of the requested rate, naming what limited
 * them as far as the measurements tell: the harness's own CPU (its one thread was saturated, so
 * more clients would not help), the machine's CPUs (harness and nodes competing), too few
 * clients for the cluster's latency, or operations that stalled on the cluster. When none of
 * these shows, it states the shortfall and no cause.
 */
export function rateShortfall(stats: WorkerStats, rate: number, concurrency: number): string | undefined {
  if (stats.elapsedMs < 1000) return undefined;
  const achieved = stats.invoked / (stats.elapsedMs / 1000);
  if (achieved >= 0.9 * rate) return undefined;
  const head = `requested ${fmt(rate)} ops/s, achieved ${fmt(achieved)}`;
  const harness = stats.harnessCpuMs / stats.elapsedMs;
  const latency = stats.invoked > 0 ? stats.waitingMs / stats.invoked : 0;
  const perOpUs = stats.invoked > 0 ? (1000 * stats.harnessCpuMs) / stats.invoked : 0;
  if (harness >= HARNESS_SATURATED) {
    return (
      `${head}: the harness was the bottleneck (its process used ${pct(harness)} of a CPU core, ${fmt(perOpUs)} µs per operation, ` +
      `event loop lagging ${fmt(stats.loopDelayMeanMs)} ms on average); more clients would not help`
    );
  }
  if (stats.machineBusy >= MACHINE_SATURATED) {
    return `${head}: the machine's CPUs were saturated (${pct(stats.machineBusy)} busy over ${stats.cores} cores; the harness used ${pct(harness)} of one core): the harness, the nodes and whatever else runs here were competing for CPU`;
  }
  const busy = stats.waitingMs / (concurrency * stats.elapsedMs);
  if (busy >= CLIENTS_BUSY) {
    const capacity = latency > 0 ? (1000 * concurrency) / latency : Number.POSITIVE_INFINITY;
    const stalls = stats.indeterminate > 0 ? `, ${stats.indeterminate} of them timing out or cut off` : '';
    if (capacity < rate && stats.indeterminate === 0) {
      return `${head}: too few clients: each waited ${fmt(latency)} ms per operation on the cluster, so ${concurrency} clients can do about ${fmt(capacity)} ops/s (raise --concurrency)`;
    }
    return `${head}: clients were waiting on the cluster (mean latency ${fmt(latency)} ms${stalls})`;
  }
  return head;
}

function fmt(n: number): string {
  return n >= 100 ? String(Math.round(n)) : String(Math.round(n * 10) / 10);
}

function pct(share: number): string {
  return `${Math.round(share * 100)} %`;
}

