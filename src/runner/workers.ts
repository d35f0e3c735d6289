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
 * achieved and what it cost (worker-load.ts: harness and machine CPU, event-loop delay, time
 * spent waiting on the cluster, and what limited the rate when it is low).
 */
import type { Client, ClientFactory } from '../api/client.js';
import type { Completion } from '../api/op.js';
import type { Cluster } from '../api/cluster.js';
import type { GenContext, GenEvent, Generator, Phase } from '../api/generator.js';
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Rng } from '../gen/rng.js';
import { MIN_WAIT_MS, threadRng } from '../gen/thread-rules.js';
import type { Journal } from '../history/journal.js';
import { abortableSleep } from '../abortable-sleep.js';
import { LoadMeter, type LoadReading, type WorkerStats } from './worker-load.js';


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
    const meter = new LoadMeter();
    const stopped = (): void => meter.stopped();
    opts.stop.addEventListener('abort', stopped, { once: true });
    // Every thread listens to this once per phase; the fan-out is intended.
    const giveUp = plan.giveUp ? AbortSignal.any([this.setup.abort, plan.giveUp]) : this.setup.abort;
    setMaxListeners(0, giveUp);
    const tally = { invoked: 0, waitingMs: 0, indeterminate: 0 };
    const phaseStart = meter.t0 - this.t0;
    let load: LoadReading;
    try {
      const clock = { t0: this.t0, phaseStart };
      await Promise.all(this.threads.map((state) => runThread({ ...opts, abort: giveUp }, state, tally, clock, this.openFailures)));
    } finally {
      opts.stop.removeEventListener('abort', stopped);
      load = meter.reading();
    }
    return { ...tally, ...load };
  }

  /** Close every thread's client. */
  async close(): Promise<void> {
    await Promise.all(this.threads.map((state) => state.client?.close().catch(() => undefined)));
    for (const state of this.threads) state.client = undefined;
  }
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
