/**
 * Client workers: one loop per thread, drawing operations from the thread's stream at the
 * requested rate and recording each invocation and completion. This is the one place where a
 * client's thrown error or a timeout becomes an `info` operation; the thread then continues as
 * a fresh process (Jepsen's rule: a process with an operation of unknown outcome never
 * invokes again). Each thread keeps a schedule of due times rather than sleeping a gap after
 * every completion, so the cluster's latency does not lower the rate until it exceeds the gap;
 * the workers measure the rate they achieved, and `rateShortfall` says why when it is low.
 */
import type { Client, ClientFactory } from '../api/client.js';
import type { Completion } from '../api/op.js';
import type { Cluster } from '../api/cluster.js';
import type { Generator } from '../api/generator.js';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Rng } from '../gen/rng.js';
import type { Journal } from '../history/journal.js';
import { abortableSleep } from '../abortable-sleep.js';

export interface WorkerOptions {
  clients: ClientFactory;
  cluster: Cluster;
  generator: Generator;
  journal: Journal;
  seed: number;
  concurrency: number;
  /** Operations per second over all threads. */
  rate: number;
  opTimeoutMs: number;
  /** Aborted when threads should stop starting operations. */
  stop: AbortSignal;
  /** Aborted when operations in flight must be given up at once (Ctrl-C). */
  abort: AbortSignal;
  /** Told, once per node and error, when a client cannot be opened to a node. */
  warn?: (text: string) => void;
}

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
  /** Mean and 99th percentile delay of the harness's event loop, in milliseconds. */
  loopDelayMeanMs: number;
  loopDelayP99Ms: number;
}

/** Run every thread until `stop` fires or every stream is exhausted. */
export async function runWorkers(opts: WorkerOptions): Promise<WorkerStats> {
  const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loop.enable();
  const t0 = performance.now();
  let elapsedMs: number | undefined;
  const stopped = (): void => {
    elapsedMs ??= performance.now() - t0;
  };
  opts.stop.addEventListener('abort', stopped, { once: true });
  const tally = { invoked: 0, waitingMs: 0 };
  const openFailures = new OpenFailures(opts.warn);
  try {
    await Promise.all(Array.from({ length: opts.concurrency }, (_, thread) => runThread(opts, thread, tally, openFailures)));
  } finally {
    opts.stop.removeEventListener('abort', stopped);
    loop.disable();
  }
  stopped();
  const ms = (ns: number): number => (Number.isFinite(ns) ? Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS) : 0);
  return {
    ...tally,
    elapsedMs: elapsedMs ?? 0,
    loopDelayMeanMs: ms(loop.mean),
    loopDelayP99Ms: ms(loop.percentile(99)),
  };
}

/**
 * A warning when the workers achieved less than 90 % of the requested rate, naming the likely
 * cause: clients busy waiting on the cluster, or a harness too busy to start operations on time.
 */
export function rateShortfall(stats: WorkerStats, rate: number, concurrency: number): string | undefined {
  if (stats.elapsedMs < 1000) return undefined;
  const achieved = stats.invoked / (stats.elapsedMs / 1000);
  if (achieved >= 0.9 * rate) return undefined;
  const head = `requested ${fmt(rate)} ops/s, achieved ${fmt(achieved)}`;
  const busy = stats.waitingMs / (concurrency * stats.elapsedMs);
  if (busy >= 0.5 || stats.loopDelayMeanMs < 5) {
    const latency = stats.invoked > 0 ? stats.waitingMs / stats.invoked : 0;
    const capacity = latency > 0 ? (1000 * concurrency) / latency : Number.POSITIVE_INFINITY;
    // Too few clients for the latency, or slow operations (timeouts, a stalled node) at times.
    const why =
      capacity < rate
        ? `${concurrency} clients at a mean latency of ${fmt(latency)} ms can do about ${fmt(capacity)} ops/s (raise --concurrency)`
        : `slow operations held their clients (mean latency ${fmt(latency)} ms)`;
    return `${head}: clients were waiting on the cluster; ${why}`;
  }
  return `${head}: the harness could not keep up (its event loop lagged ${fmt(stats.loopDelayMeanMs)} ms on average, ${fmt(stats.loopDelayP99Ms)} ms at p99)`;
}

function fmt(n: number): string {
  return n >= 100 ? String(Math.round(n)) : String(Math.round(n * 10) / 10);
}

async function runThread(opts: WorkerOptions, thread: number, tally: { invoked: number; waitingMs: number }, openFailures: OpenFailures): Promise<void> {
  const { journal, cluster } = opts;
  const rng = Rng.derive(opts.seed, `thread-${thread}`);
  const stagger = Rng.derive(opts.seed, `stagger-${thread}`);
  const next = opts.generator({ thread, rng });
  const node = cluster.nodes[thread % cluster.nodes.length] as string;
  const meanGapMs = (1000 * opts.concurrency) / opts.rate;
  let process = thread;
  let client: Client | undefined;
  let due = performance.now();
  let openBackoffMs = 0;
  // One listener per thread on the shared abort signal, not one per operation: EventTarget's
  // add and remove walk all its listeners, which made each operation cost O(concurrency).
  const threadAbort = new AbortController();
  const relayAbort = (): void => threadAbort.abort();
  opts.abort.addEventListener('abort', relayAbort, { once: true });
  try {
    while (!opts.stop.aborted) {
      // Jepsen's stagger: uniform gaps with the requested mean keep threads out of lockstep. A
      // thread that fell behind (slow operations) starts at once, but never bursts to catch up.
      due = Math.max(due + stagger.float() * 2 * meanGapMs, performance.now());
      // Timers cannot wait less than 1 ms: a shorter wait would cost a whole millisecond per
      // operation at high rates, so the thread starts early instead (the schedule keeps the rate),
      // only yielding so that a client that answers at once cannot starve the event loop.
      const wait = due - performance.now();
      if (wait >= MIN_SLEEP_MS) await abortableSleep(wait, opts.stop);
      else await yieldToLoop();
      if (opts.stop.aborted) break;
      const inv = next();
      if (!inv) break;
      if (!client) {
        const opened = await openClient(opts, node, process);
        if ('error' in opened) {
          // As in Jepsen: an operation whose client could not be opened surely did not happen.
          const base = { process, f: inv.f, ...(inv.key !== undefined && { key: inv.key }), node };
          journal.record({ ...base, type: 'invoke', value: inv.value });
          journal.record({ ...base, type: 'fail', value: inv.value, error: `no-client: ${opened.error}` });
          openFailures.note(node, opts.cluster.clientAddresses[node], opened.error);
          openBackoffMs = Math.min(OPEN_BACKOFF_MAX_MS, Math.max(OPEN_BACKOFF_FIRST_MS, openBackoffMs * 2));
          await abortableSleep(openBackoffMs, opts.stop);
          continue;
        }
        client = opened.client;
        openBackoffMs = 0;
      }
      journal.record({ type: 'invoke', process, f: inv.f, ...(inv.key !== undefined && { key: inv.key }), value: inv.value, node });
      tally.invoked++;
      const sent = performance.now();
      const result = await invokeWithTimeout(client, inv, opts, threadAbort.signal);
      tally.waitingMs += performance.now() - sent;
      const base = { process, f: inv.f, ...(inv.key !== undefined && { key: inv.key }), node };
      if ('completion' in result) {
        const c = result.completion;
        journal.record({ ...base, type: c.type, value: c.value, ...(c.error !== undefined && { error: c.error }) });
      } else {
        journal.record({ ...base, type: 'info', value: inv.value, error: `indeterminate: ${result.error}` });
        process += opts.concurrency;
        void client.close().catch(() => undefined);
        client = undefined;
      }
    }
  } finally {
    opts.abort.removeEventListener('abort', relayAbort);
    await client?.close().catch(() => undefined);
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
  const onAbort = (): void => controller.abort(new Error('interrupted'));
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
