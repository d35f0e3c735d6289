/**
 * The harness's view of a transactional cluster (txn-2pc's `primary` hook): every node
 * coordinates the transactions its clients send it, so the node that "leads" at a moment is the
 * one coordinating the most transactions still collecting votes, as the nodes' statuses say. A
 * fault aimed at the primary (kill it, mute it, cut it off) then hits a coordinator with
 * decisions pending, as Jepsen's faults aimed at a primary hit the node whose decisions others
 * wait for.
 */
import type { ClusterView } from '../../api/cluster.js';
import { clusterStatuses } from '../kv/probe.js';

/** The node coordinating the most undecided transactions, or undefined when none coordinates any. */
export async function busiestCoordinator(cluster: ClusterView, signal: AbortSignal): Promise<string | undefined> {
  const statuses = await clusterStatuses(cluster, signal);
  let busiest: string | undefined;
  let most = 0;
  statuses.forEach((status, i) => {
    const active = (status as { active?: unknown } | undefined)?.active;
    if (typeof active === 'number' && active > most) [busiest, most] = [cluster.nodes[i], active];
  });
  return busiest;
}
