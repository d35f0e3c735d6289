/**
 * The harness's view of a transactional cluster (the txn systems' `primary` hook): every node
 * coordinates the transactions its clients send it and takes part in others', so no node leads;
 * the "primary" at a moment is the node a fault aimed at one should hit, picked by a count the
 * nodes' statuses report: txn-2pc's is the coordinator with the most transactions still
 * collecting votes (a crash then leaves decisions in doubt), txn-3pc's the node with the most
 * participations uncertain in others' transactions (a cut then splits their decisions). So a
 * targeted fault lands where the protocol is weak, as Jepsen's faults aimed at a primary hit the
 * node whose decisions others wait for.
 */
import type { ClusterView } from '../../api/cluster.js';
import { clusterStatuses } from '../kv/probe.js';

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

/** txn-3pc's primary: the node uncertain (voted yes, no pre-commit yet) in the most transactions others coordinate. */
export const mostUncertain = busiestBy('uncertain');
