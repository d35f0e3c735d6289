/**
 * Client workers: one loop per thread, drawing operations from the thread's copy of the phase's
 * generator at the requested rate and recording each invocation and completion. Threads live
 * through every phase (setup, main, final): a thread keeps its process number and its client
 * from one phase to the next, and a phase ends when every thread's generator is exhausted or
 * its stop signal fires. This is the one place where a client's thrown error or a timeout
 * becomes an `info` operation; the thread then continues as a fresh process (Jepsen's rule: a
 * process with an operation of unknown outcome never invokes again). Each thread keeps a
 * schedule of due times rather than sleeping a gap after every completion, so the cluster's
 * latency does not lower the rate until it exceeds the gap; the workers measure the rate they
 * achieved and what it cost (harness and machine CPU, time spent waiting on the cluster), and
 * `rateShortfall` says what limited it when it is low.
 */
import type { Client, ClientFactory } from '../api/client.js';
import type { Completion } from '../api/op.js';
import type { Cluster } from '../api/cluster.js';
import type { GenContext, GenEvent, Generator, Phase } from '../api/generator.js';
import { setMaxListeners } from 'node:events';
import { cpus } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Rng } from '../gen/rng.js';
import { MIN_WAIT_MS, threadRng } from '../gen/thread-rules.js';
import type { Journal } from '../history/journal.js';
import { abortableSleep } from '../abortable-sleep.js';

/** What every phase of a run's workers shares. */
export interface WorkersSetup {
  clients: ClientFactory;
  cluster: Cluster;
  journal: Journal;
  seed: number;
  concurrency: number;
  /** Operations per second over all threads. */
  rate: number;
  opTimeoutMs: number;
  /** System options, passed on to every client (ClientContext.options). */
  clientOptions: Readonly<Record<string, string>>;
  /** Aborted when operations in flight must be given up at once (Ctrl-C). */
  abort: AbortSignal;
  /** Told, once per node and error, when a client cannot be opened to a node. */
  warn?: (text: string) => void;
}

/** One phase for the workers to play. */
export interface PhasePlan {
  phase: Phase;
  generator: Generator;
  /** Aborted when threads should stop starting operations. */
  stop: AbortSignal;
  /** Aborted at a phase's deadline: operations still in flight are given up (`info`). */
  giveUp?: AbortSignal;
}

/** The options of one phase's threads. */
export interface WorkerOptions extends WorkersSetup, PhasePlan {}

/** The reason in-flight operations are given up at a phase's deadline. */
export class PhaseDeadline extends Error {}

class OpTimeout extends Error {}

/** The shortest wait a timer can do; shorter stagger gaps are not slept. */
const MIN_SLEEP_MS = 1;
/** The reason a finished operation's controller is aborted with: a constant, as a DOMException per operation is costly. */
const SETTLED = new Error('operation settled');

/** Waits after a failed client open, doubling from the first to the last while opens keep failing. */
const OPEN_BACKOFF_FIRST_MS = 100;
const OPEN_BACKOFF_MAX_MS = 5000;

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

/** A thread's state that outlives phases. */
interface ThreadState {
  thread: number;
  node: string;
  /** The current process; a fresh one after every `info`. */
  process: number;
  client: Client | undefined;
  /** Jepsen's stagger: the gaps between this thread's operations. */
  stagger: Rng;
  /** When the thread's next operation is due (performance.now()). */
  due: number;
  /** The wait after the latest failed client open; 0 once a client is open. */
  openBackoffMs: number;
}

/**
 * The client threads of a run. `runPhase` plays one phase on every thread and resolves when
 * all of them are done with it; `close` closes the clients. Generator time (`GenContext.time`)
 * counts from the creation of the workers.
 */
export class Workers {
  private readonly threads: ThreadState[];
  private readonly t0 = performance.now();
  private readonly openFailures: OpenFailures;

  constructor(private readonly setup: WorkersSetup) {
    this.threads = Array.from({ length: setup.concurrency }, (_, thread) => ({
      thread,
      node: setup.cluster.nodes[thread % setup.cluster.nodes.length] as string,
      process: thread,
      client: undefined,
      stagger: Rng.derive(setup.seed, `stagger-${thread}`),
      due: this.t0,
      openBackoffMs: 0,
    }));
    this.openFailures = new OpenFailures(setup.warn);
  }

  /** Play one phase on every thread until each generator is exhausted or `plan.stop` fires. */
  async runPhase(plan: PhasePlan): Promise<WorkerStats> {
    const opts: WorkerOptions = { ...this.setup, ...plan };
    const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    loop.enable();
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const machine0 = machineCpu();
    let window: Pick<WorkerStats, 'elapsedMs' | 'harnessCpuMs' | 'machineBusy'> | undefined;
    const stopped = (): void => {
      if (window) return;
      const cpu = process.cpuUsage(cpu0);
      const machine = machineCpu();
      const total = machine.total - machine0.total;
      window = {
        elapsedMs: performance.now() - t0,
        harnessCpuMs: (cpu.user + cpu.system) / 1000,
        machineBusy: total > 0 ? (machine.busy - machine0.busy) / total : 0,
      };
    };
    opts.stop.addEventListener('abort', stopped, { once: true });
    // Every thread listens to this once per phase; the fan-out is intended.
    const giveUp = plan.giveUp ? AbortSignal.any([this.setup.abort, plan.giveUp]) : this.setup.abort;
    setMaxListeners(0, giveUp);
    const tally = { invoked: 0, waitingMs: 0, indeterminate: 0 };
    const phaseStart = t0 - this.t0;
    try {
      const clock = { t0: this.t0, phaseStart };
      await Promise.all(this.threads.map((state) => runThread({ ...opts, abort: giveUp }, state, tally, clock, this.openFailures)));
    } finally {
      opts.stop.removeEventListener('abort', stopped);
      loop.disable();
    }
    stopped();
    const ms = (ns: number): number => (Number.isFinite(ns) ? Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS) : 0);
    return {
      ...tally,
      ...(window as NonNullable<typeof window>),
      cores: cpus().length,
      loopDelayMeanMs: ms(loop.mean),
      loopDelayP99Ms: ms(loop.percentile(99)),
    };
  }

  /** Close every thread's client. */
  async close(): Promise<void> {
    await Promise.all(this.threads.map((state) => state.client?.close().catch(() => undefined)));
    for (const state of this.threads) state.client = undefined;
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

async function runThread(
  opts: WorkerOptions,
  state: ThreadState,
  tally: Pick<WorkerStats, 'invoked' | 'waitingMs' | 'indeterminate'>,
  { t0, phaseStart }: { t0: number; phaseStart: number },
  openFailures: OpenFailures,
): Promise<void> {
  const { journal, cluster } = opts;
  const { stagger, node } = state;
  const rng = threadRng(opts.seed, opts.phase, state.thread);
  const meanGapMs = (1000 * opts.concurrency) / opts.rate;
  const ctxAt = (now: number): GenContext => ({
    time: now - t0,
    phase: opts.phase,
    phaseStart,
    thread: state.thread,
    threads: opts.concurrency,
    process: state.process,
    node,
    nodes: cluster.nodes,
    rng,
  });
  let gen = opts.generator;
  // One listener per thread on the shared abort signal, not one per operation: EventTarget's
  // add and remove walk all its listeners, which made each operation cost O(concurrency).
  const threadAbort = new AbortController();
  const relayAbort = (): void => threadAbort.abort(opts.abort.reason);
  opts.abort.addEventListener('abort', relayAbort, { once: true });
  try {
    while (!opts.stop.aborted) {
      // Jepsen's stagger: uniform gaps with the requested mean keep threads out of lockstep. A
      // thread that fell behind (slow operations) starts at once, but never bursts to catch up.
      state.due = Math.max(state.due + stagger.float() * 2 * meanGapMs, performance.now());
      // Timers cannot wait less than 1 ms: a shorter wait would cost a whole millisecond per
      // operation at high rates, so the thread starts early instead (the schedule keeps the rate),
      // only yielding so that a client that answers at once cannot starve the event loop.
      const wait = state.due - performance.now();
      if (wait >= MIN_SLEEP_MS) await abortableSleep(wait, opts.stop);
      else await yieldToLoop();
      if (opts.stop.aborted) break;
      let step = gen.op(ctxAt(performance.now()));
      // The generator has nothing yet: wait for the time it names (never a busy loop).
      while (step && 'waitUntil' in step && !opts.stop.aborted) {
        gen = step.gen;
        await abortableSleep(Math.max(MIN_WAIT_MS, t0 + step.waitUntil - performance.now()), opts.stop);
        step = opts.stop.aborted ? null : gen.op(ctxAt(performance.now()));
      }
      if (!step || !('op' in step)) break;
      gen = step.gen;
      const inv = step.op;
      const process = state.process;
      const base = { process, f: inv.f, ...(inv.key !== undefined && { key: inv.key }), node };
      if (!state.client) {
        const opened = await openClient(opts, node, process);
        if ('error' in opened) {
          // As in Jepsen: an operation whose client could not be opened surely did not happen.
          const error = `no-client: ${opened.error}`;
          journal.record({ ...base, type: 'invoke', value: inv.value });
          journal.record({ ...base, type: 'fail', value: inv.value, error });
          gen = gen.update(ctxAt(performance.now()), { type: 'fail', invocation: inv, value: inv.value, error });
          openFailures.note(node, opts.cluster.clientAddresses[node], opened.error);
          state.openBackoffMs = Math.min(OPEN_BACKOFF_MAX_MS, Math.max(OPEN_BACKOFF_FIRST_MS, state.openBackoffMs * 2));
          await abortableSleep(state.openBackoffMs, opts.stop);
          continue;
        }
        state.client = opened.client;
        state.openBackoffMs = 0;
      }
      const client = state.client;
      journal.record({ type: 'invoke', process, f: inv.f, ...(inv.key !== undefined && { key: inv.key }), value: inv.value, node });
      tally.invoked++;
      const sent = performance.now();
      const result = await invokeWithTimeout(client, inv, opts, threadAbort.signal);
      const done = performance.now();
      tally.waitingMs += done - sent;
      let event: GenEvent;
      if ('completion' in result) {
        const c = result.completion;
        journal.record({ ...base, type: c.type, value: c.value, ...(c.error !== undefined && { error: c.error }) });
        event = { type: c.type, invocation: inv, value: c.value, ...(c.error !== undefined && { error: c.error }) };
      } else {
        const error = `indeterminate: ${result.error}`;
        journal.record({ ...base, type: 'info', value: inv.value, error });
        event = { type: 'info', invocation: inv, value: inv.value, error };
        tally.indeterminate++;
        state.process += opts.concurrency;
        void client.close().catch(() => undefined);
        state.client = undefined;
      }
      gen = gen.update(ctxAt(done), event);
    }
  } finally {
    opts.abort.removeEventListener('abort', relayAbort);
  }
}

/** Open a client to `node` for `process`, or say why it could not be opened. */
async function openClient(opts: WorkerOptions, node: string, process: number): Promise<{ client: Client } | { error: string }> {
  const ctx = {
    node,
    address: opts.cluster.clientAddresses[node] as string,
    addresses: opts.cluster.clientAddresses,
    process,
    timeoutMs: opts.opTimeoutMs,
    options: opts.clientOptions,
  };
  try {
    return { client: await opts.clients.open(ctx) };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Why clients could not be opened: each node and error is told once (a node that never accepts a
 * client would otherwise leave a run with no operations on it and no word why).
 */
class OpenFailures {
  private readonly told = new Set<string>();

  constructor(private readonly warn: ((text: string) => void) | undefined) {}

  note(node: string, address: string | undefined, error: string): void {
    const key = `${node}\u0000${error}`;
    if (this.told.has(key)) return;
    this.told.add(key);
    this.warn?.(`cannot open a client to ${node}${address ? ` at ${address}` : ''}: ${error}; its operations fail (no-client) while clients retry with backoff`);
  }
}

async function invokeWithTimeout(
  client: Client,
  inv: Parameters<Client['invoke']>[0],
  opts: WorkerOptions,
  abort: AbortSignal,
): Promise<{ completion: Completion } | { error: string }> {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(abort.reason instanceof PhaseDeadline ? abort.reason : new Error('interrupted'));
  abort.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => controller.abort(new OpTimeout(`timed out after ${opts.opTimeoutMs} ms`)), opts.opTimeoutMs);
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
  });
  try {
    const completion = await Promise.race([client.invoke(inv, controller.signal), aborted]);
    return { completion };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
    abort.removeEventListener('abort', onAbort);
    if (!controller.signal.aborted) controller.abort(SETTLED);
  }
}
