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
import { pollUntil } from '../../poll-until.js';
import { clusterStatuses, nodeStatus } from '../kv/probe.js';

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
 * The participant exposed longest (longestExposed) in the first status that names one, without
 * waiting for slower nodes, since the window closes within milliseconds; undefined when every
 * node answered (or failed to) with none.
 */
export const exposedNow: Primary = (cluster, signal) =>
  new Promise((resolve) => {
    let left = cluster.nodes.length;
    if (left === 0) resolve(undefined);
    for (const node of cluster.nodes) {
      void nodeStatus(cluster.clientAddresses[node]!, signal).then((status) => {
        const found = longestExposed((status as { exposed?: unknown } | undefined)?.exposed);
        if (found) resolve(found.node);
        else if (--left === 0) resolve(undefined);
      });
    }
  });

/**
 * How long txn-3pc's primary is waited for. Its primary is a moment, not a role: a node is
 * exposed for milliseconds at a time, a few times a second under load, so a fault aimed at it
 * asks until one is (every few ms, src/poll-until.ts) rather than miss the moment.
 */
export const AIM_WAIT_MS = 1000;

/** txn-3pc's primary: the next participant found exposed (exposedNow), within AIM_WAIT_MS; else none. */
export const nextExposed: Primary = (cluster, signal) => pollUntil((s) => exposedNow(cluster, s), signal, AIM_WAIT_MS);
