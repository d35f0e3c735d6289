/**
 * Client workers: one loop per thread, drawing operations from the thread's stream at the
 * requested rate and recording each invocation and completion. This is the one place where a
 * client's thrown error or a timeout becomes an `info` operation; the thread then continues as
 * a fresh process (Jepsen's rule: a process with an operation of unknown outcome never
 * invokes again).
 */
import type { Client, ClientFactory } from '../api/client.js';
import type { Completion } from '../api/op.js';
import type { Cluster } from '../api/cluster.js';
import type { Generator } from '../api/generator.js';
import { Rng } from '../gen/rng.js';
import type { Journal } from '../history/journal.js';
import { abortableSleep } from './sleep.js';

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
}

class OpTimeout extends Error {}

/** Run every thread until `stop` fires or every stream is exhausted. */
export async function runWorkers(opts: WorkerOptions): Promise<void> {
  const threads = Array.from({ length: opts.concurrency }, (_, thread) => runThread(opts, thread));
  await Promise.all(threads);
}

async function runThread(opts: WorkerOptions, thread: number): Promise<void> {
  const { journal, cluster } = opts;
  const rng = Rng.derive(opts.seed, `thread-${thread}`);
  const stagger = Rng.derive(opts.seed, `stagger-${thread}`);
  const next = opts.generator({ thread, rng });
  const node = cluster.nodes[thread % cluster.nodes.length] as string;
  const meanGapMs = (1000 * opts.concurrency) / opts.rate;
  let process = thread;
  let client: Client | undefined;

  while (!opts.stop.aborted) {
    // Jepsen's stagger: a uniform gap with the requested mean keeps threads out of lockstep.
    await abortableSleep(stagger.float() * 2 * meanGapMs, opts.stop);
    if (opts.stop.aborted) break;
    const inv = next();
    if (!inv) break;
    client ??= await openClient(opts, node, process);
    if (!client) break;
    journal.record({ type: 'invoke', process, f: inv.f, ...(inv.key !== undefined && { key: inv.key }), value: inv.value, node });
    const result = await invokeWithTimeout(client, inv, opts);
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
  await client?.close().catch(() => undefined);
}

async function openClient(opts: WorkerOptions, node: string, process: number): Promise<Client | undefined> {
  const ctx = {
    node,
    address: opts.cluster.clientAddresses[node] as string,
    addresses: opts.cluster.clientAddresses,
    process,
    timeoutMs: opts.opTimeoutMs,
  };
  while (!opts.stop.aborted) {
    try {
      return await opts.clients.open(ctx);
    } catch {
      await abortableSleep(100, opts.stop);
    }
  }
  return undefined;
}

async function invokeWithTimeout(
  client: Client,
  inv: Parameters<Client['invoke']>[0],
  opts: WorkerOptions,
): Promise<{ completion: Completion } | { error: string }> {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(new Error('interrupted'));
  opts.abort.addEventListener('abort', onAbort, { once: true });
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
    opts.abort.removeEventListener('abort', onAbort);
    if (!controller.signal.aborted) controller.abort();
  }
}
