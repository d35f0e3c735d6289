/**
 * The harness's view of bundled key-value clusters: ask nodes for their status, find the leader
 * most of them agree on, and tell when the cluster serves (the `ready` and `primary` hooks of a
 * SystemDef), all over the client protocol of ./protocol.ts.
 */
import type { ClusterView } from '../../api/cluster.js';
import { registerClient } from './client.js';
import { KvConnection } from './connection.js';
import type { NodeStatus } from './protocol.js';

/** How long a status request (its dial, then its answer) may take. */
export const STATUS_TIMEOUT_MS = 500;
const READY_KEY = '__faultline_ready__';

/** Ask one node for its status; undefined when it does not answer. */
export async function nodeStatus(address: string, signal?: AbortSignal): Promise<NodeStatus | undefined> {
  let conn: KvConnection | undefined;
  try {
    conn = await KvConnection.connect(address, STATUS_TIMEOUT_MS, signal);
    const res = await conn.call({ f: 'status' }, STATUS_TIMEOUT_MS, signal);
    return res.type === 'ok' ? (res.value as NodeStatus) : undefined;
  } catch {
    return undefined;
  } finally {
    conn?.close();
  }
}

/** Every node's status, in cluster order (undefined for those that do not answer). */
export function clusterStatuses(cluster: ClusterView, signal: AbortSignal): Promise<(NodeStatus | undefined)[]> {
  return Promise.all(cluster.nodes.map((n) => nodeStatus(cluster.clientAddresses[n]!, signal)));
}

/** The leader most nodes agree on in the highest term any node reports a leader for. */
export function agreedLeader(statuses: readonly (NodeStatus | undefined)[]): string | undefined {
  const known = statuses.filter((s): s is NodeStatus & { leader: string } => !!s && s.leader !== null);
  if (known.length === 0) return undefined;
  const term = known.reduce((max, s) => Math.max(max, s.term), 0);
  const votes = new Map<string, number>();
  for (const s of known) if (s.term === term) votes.set(s.leader, (votes.get(s.leader) ?? 0) + 1);
  let best: string | undefined;
  let bestVotes = 0;
  for (const [leader, n] of votes) {
    const selfClaim = known.some((s) => s.id === leader && s.role === 'leader' && s.term === term);
    const score = n * 2 + (selfClaim ? 1 : 0);
    if (score > bestVotes) {
      best = leader;
      bestVotes = score;
    }
  }
  return best;
}

/** Resolves after `ms`, or rejects when `signal` aborts first. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason ?? new Error('aborted'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason ?? new Error('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Does the agreed leader take a write and read it back? */
async function leaderServes(cluster: ClusterView, token: string, signal: AbortSignal): Promise<boolean> {
  const leader = agreedLeader(await clusterStatuses(cluster, signal));
  return leader !== undefined && (await nodeServes(cluster, leader, [READY_KEY], token, signal));
}

/** Does `node` take a write of `token` to each of `keys` and read it back? */
export async function nodeServes(cluster: ClusterView, node: string, keys: readonly string[], token: string, signal: AbortSignal): Promise<boolean> {
  const address = cluster.clientAddresses[node];
  if (address === undefined) return false;
  const client = await registerClient.open({ node, address, addresses: cluster.clientAddresses, process: -1, timeoutMs: 2000, options: {} });
  try {
    for (const key of keys) {
      const w = await client.invoke({ f: 'write', key, value: token }, signal);
      if (w.type !== 'ok') return false;
      const r = await client.invoke({ f: 'read', key, value: null }, signal);
      if (r.type !== 'ok' || r.value !== token) return false;
    }
    return true;
  } catch {
    return false;
  } finally {
    await client.close();
  }
}

/**
 * The `ready` and `primary` hooks of a replicated key-value system whose nodes report a leader:
 * ready once the leader most nodes agree on takes a write and reads it back.
 */
export const leaderHooks = {
  async ready(cluster: ClusterView, signal: AbortSignal): Promise<void> {
    const token = `ready-${process.pid}-${Date.now()}`;
    while (!(await leaderServes(cluster, token, signal))) await pause(100, signal);
  },

  async primary(cluster: ClusterView, signal: AbortSignal): Promise<string | undefined> {
    return agreedLeader(await clusterStatuses(cluster, signal));
  },
};

/** Resolves once every node answers a status request (polling every `pollMs`). */
export async function everyNodeAnswers(cluster: ClusterView, signal: AbortSignal, pollMs = 50): Promise<void> {
  while (!(await clusterStatuses(cluster, signal)).every((s) => s !== undefined)) await pause(pollMs, signal);
}
