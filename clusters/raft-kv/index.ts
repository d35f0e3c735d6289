/**
 * raft-kv: the bundled Raft key-value store faultline tests itself against. A real Raft (leader
 * election, log replication, fsync before acknowledging, restart recovery) with linearizable
 * reads by default and known bugs that can be switched on.
 */
import type { ClusterView, NodePlan, SystemDef } from '../../src/api/cluster.js';
import { nodeProgram } from '../../src/node/entry.js';
import { BUGS } from './bugs.js';
import { registerClient } from './client.js';
import { READ_MODES } from './config.js';
import { KvConnection, type NodeStatus } from './protocol.js';

const STATUS_TIMEOUT_MS = 500;

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

async function statuses(cluster: ClusterView, signal: AbortSignal): Promise<(NodeStatus | undefined)[]> {
  return Promise.all(cluster.nodes.map((n) => nodeStatus(cluster.clientAddresses[n]!, signal)));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
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

export const raftKv: SystemDef = {
  name: 'raft-kv',
  description:
    'Bundled Raft key-value store (leader election, log replication, fsync, restart recovery); ' +
    'linearizable read/write/cas on string keys',
  bugs: BUGS,
  options: {
    'read-mode': {
      describe:
        'how the leader serves reads: read-index (confirm leadership with a heartbeat round), ' +
        'log (reads go through the log), lease (local reads while a clock-based lease lasts; ' +
        'messages from peers whose clocks are over 500 ms off are refused; unsafe under clock skew)',
      choices: READ_MODES,
      default: 'read-index',
    },
  },
  clients: { register: registerClient },

  launch(plan: NodePlan) {
    return nodeProgram(new URL('./node.js', import.meta.url), ['--plan', JSON.stringify(plan)]);
  },

  async ready(cluster: ClusterView, signal: AbortSignal): Promise<void> {
    const token = `ready-${process.pid}-${Date.now()}`;
    for (;;) {
      const leader = agreedLeader(await statuses(cluster, signal));
      if (leader !== undefined && cluster.clientAddresses[leader] !== undefined) {
        const client = await registerClient.open({
          node: leader,
          address: cluster.clientAddresses[leader]!,
          addresses: cluster.clientAddresses,
          process: -1,
          timeoutMs: 2000,
        });
        try {
          const w = await client.invoke({ f: 'write', key: '__faultline_ready__', value: token }, signal);
          if (w.type === 'ok') {
            const r = await client.invoke({ f: 'read', key: '__faultline_ready__', value: null }, signal);
            if (r.type === 'ok' && r.value === token) return;
          }
        } catch {
          // not yet
        } finally {
          await client.close();
        }
      }
      await sleep(100, signal);
    }
  },

  async primary(cluster: ClusterView, signal: AbortSignal): Promise<string | undefined> {
    return agreedLeader(await statuses(cluster, signal));
  },
};

export default raftKv;
