/**
 * The harness's view of a transactional cluster (the txn systems' `primary` hook): every node
 * coordinates the transactions its clients send it and takes part in others', so no node leads;
 * the "primary" at a moment is the node a fault aimed at one should hit, picked from what the
 * nodes' statuses report: txn-2pc's is the coordinator with the most transactions still
 * collecting votes (a crash then leaves decisions in doubt), txn-3pc's a participant that voted
 * yes to a write while its coordinator still waits for other votes (a cut between the two then
 * splits the decision), and only one that has waited a few milliseconds already, or none. So a
 * targeted fault lands where the protocol is weak, as Jepsen's faults aimed at a primary hit the
 * node whose decisions others wait for.
 */
import type { ClusterView } from '../../api/cluster.js';
import { abortableSleep } from '../../abortable-sleep.js';
import { KvConnection } from '../kv/connection.js';
import { clusterStatuses, STATUS_TIMEOUT_MS } from '../kv/probe.js';

type Primary = (cluster: ClusterView, signal: AbortSignal) => Promise<string | undefined>;

/** The node whose status reports the largest `count`, or undefined when every node reports none. */
export function busiestBy(count: string): Primary {
  return async (cluster, signal) => {
    const statuses = await clusterStatuses(cluster, signal);
    let busiest: string | undefined;
    let most = 0;
    statuses.forEach((status, i) => {
      const n = (status as Record<string, unknown> | undefined)?.[count];
      if (typeof n === 'number' && n > most) [busiest, most] = [cluster.nodes[i], n];
    });
    return busiest;
  };
}

/** txn-2pc's primary: the node coordinating the most undecided transactions. */
export const busiestCoordinator = busiestBy('active');

/**
 * An exposure (./README of txn-3pc: a participant's yes vote in while its coordinator waits for
 * others) must have lasted this long to be aimed at. Most end within 2 ms (every vote in, the
 * pre-commit fsynced and sent), too soon for a cut made after a status round trip; one that
 * lasted this long is mostly waiting for a participant queued behind a lock, and lasts on: in the
 * traces of ten 25 s runs, half of those older than 5 ms lasted 5 ms more, a quarter of those
 * older than 2 ms did.
 */
export const EXPOSED_MIN_MS = 5;

/**
 * The participant exposed longest in `exposed` (node → ms, a txn-3pc status's `exposed`), if
 * at least EXPOSED_MIN_MS.
 */
export function longestExposed(exposed: unknown): { node: string; ms: number } | undefined {
  let best: { node: string; ms: number } | undefined;
  if (typeof exposed !== 'object' || exposed === null) return undefined;
  for (const [node, ms] of Object.entries(exposed)) {
    if (typeof ms === 'number' && ms >= EXPOSED_MIN_MS && ms > (best?.ms ?? -1)) best = { node, ms };
  }
  return best;
}

/**
 * How long txn-3pc's primary is waited for. Its primary is a moment, not a role: a node is
 * exposed for milliseconds at a time, a few times a second under load, so a fault aimed at it
 * waits for the next one rather than miss it.
 */
export const AIM_WAIT_MS = 1000;
/** The pause between one node's status answer and the next ask. */
const ASK_EVERY_MS = 1;

/**
 * txn-3pc's primary: the first participant found exposed long enough (longestExposed), asking
 * every node for its status again as soon as it answers, for up to AIM_WAIT_MS; undefined if
 * none was. Each node is asked over one connection kept open through the wait: a new
 * connection per ask (through the fault proxy, in the harness's busy process) cost more time
 * than the window lasts, and what is found must be cut within milliseconds.
 */
export const nextExposed: Primary = (cluster, signal) =>
  new Promise((resolve) => {
    const stop = new AbortController();
    let done = false;
    const finish = (node: string | undefined): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      stop.abort();
      resolve(node);
    };
    const onAbort = (): void => finish(undefined);
    const timer = setTimeout(onAbort, AIM_WAIT_MS);
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) return finish(undefined);
    for (const node of cluster.nodes) void askUntilExposed(cluster.clientAddresses[node], stop.signal, finish);
  });

/** Ask the node at `address` for its status until it names a participant exposed long enough (then `found`) or `signal` aborts. */
async function askUntilExposed(address: string | undefined, signal: AbortSignal, found: (node: string) => void): Promise<void> {
  while (address !== undefined && !signal.aborted) {
    let conn: KvConnection | undefined;
    try {
      conn = await KvConnection.connect(address, STATUS_TIMEOUT_MS, signal);
      for (;;) {
        const res = await conn.call({ f: 'status' }, STATUS_TIMEOUT_MS, signal);
        const hit = res.type === 'ok' ? longestExposed((res.value as { exposed?: unknown } | null)?.exposed) : undefined;
        if (hit) return found(hit.node);
        await abortableSleep(ASK_EVERY_MS, signal);
        if (signal.aborted) return;
      }
    } catch {
      // A node that does not answer (cut off, restarting) is asked again after a pause.
      await abortableSleep(STATUS_TIMEOUT_MS / 5, signal);
    } finally {
      conn?.close();
    }
  }
}
