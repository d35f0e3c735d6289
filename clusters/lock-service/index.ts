/**
 * lock-service: a Chubby-like replicated lock service on the shared Raft core. Clients open
 * sessions and keep them alive; named locks are acquired and released in a session, each grant
 * carrying a fencing token higher than every token granted before; a session expires only once
 * its lease plus a grace period has passed on the leader's clock, and its locks go with it. Each
 * lock guards a fenced resource that refuses writes stamped with a token lower than one it took.
 */
import type { ClusterView, NodePlan, SystemDef } from '../../src/api/cluster.js';
import { planProgram } from '../../src/node/entry.js';
import { KvConnection } from '../../src/node/kv/connection.js';
import { agreedLeader, clusterStatuses, leaderHooks, pause } from '../../src/node/kv/probe.js';
import { ELECTIONS } from '../../src/node/raft/election.js';
import { BUGS } from './bugs.js';
import { lockClient } from './client.js';

/** Does `node` open and close a session (so a leader serves)? */
async function servesSessions(address: string, signal: AbortSignal): Promise<boolean> {
  let conn: KvConnection | undefined;
  try {
    conn = await KvConnection.connect(address, 1000, signal);
    const session = `ready-${process.pid}-${Date.now()}`;
    const opened = await conn.call({ f: 'open', session }, 2000, signal);
    if (opened.type !== 'ok') return false;
    return (await conn.call({ f: 'close', session }, 2000, signal)).type === 'ok';
  } catch {
    return false;
  } finally {
    conn?.close();
  }
}

async function ready(cluster: ClusterView, signal: AbortSignal): Promise<void> {
  for (;;) {
    const leader = agreedLeader(await clusterStatuses(cluster, signal));
    const address = leader === undefined ? undefined : cluster.clientAddresses[leader];
    if (address !== undefined && (await servesSessions(address, signal))) return;
    await pause(100, signal);
  }
}

export const lockService: SystemDef = {
  name: 'lock-service',
  description:
    'Bundled Chubby-like lock service on the shared Raft core: sessions with leases kept alive by ' +
    "clients, named locks with monotonic fencing tokens, expiry after lease plus grace on the leader's " +
    'clock, a fenced resource per lock',
  bugs: BUGS,
  options: {
    'lock-election': {
      describe:
        "how the leader is elected: raft (Raft's votes, with pre-vote and leader stickiness) or bully " +
        '(the highest-ranked live node leads, announcing a fresh term a majority must grant); ' +
        'replication and commit are majority-based either way',
      choices: ELECTIONS,
      default: 'raft',
    },
  },
  clients: { lock: lockClient },
  launch: (plan: NodePlan) => planProgram(new URL('./node.js', import.meta.url), plan),
  ready,
  primary: leaderHooks.primary,
};

export default lockService;
