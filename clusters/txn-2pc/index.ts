/**
 * txn-2pc: transactions over a sharded key-value store by two-phase commit. Keys are placed on
 * the nodes by consistent hashing with virtual nodes (./ring.ts); every node is a participant for
 * its shards (./participant.ts: locks held while prepared, durable prepare records) and the
 * coordinator of the transactions its clients send it (./coordinator.ts: a durable decision log,
 * presumed abort), and participants in doubt after a crash or a partition ask the coordinator's
 * log. Each shard lives on one node, durable on its disk; shard replication (Raft groups) is not
 * done yet.
 */
import type { NodePlan, SystemDef } from '../../src/api/cluster.js';
import { planProgram } from '../../src/node/entry.js';
import { everyNodeAnswers } from '../../src/node/kv/probe.js';
import { BUGS } from './bugs.js';
import { txnClients } from '../../src/node/txn/clients.js';
import { busiestCoordinator } from '../../src/node/txn/probe.js';

export const txn2pc: SystemDef = {
  name: 'txn-2pc',
  description:
    'Bundled sharded list store with two-phase commit (consistent hashing with virtual nodes, every node a participant ' +
    'and a coordinator, locks held while prepared with bounded waits, durable prepare records and coordinator log, recovery ' +
    'of in-doubt transactions); list-append, rw-register and bank transactions on any node; shards not replicated; its ' +
    'primary, for faults aimed at one, is the coordinator with the most transactions collecting votes',
  bugs: BUGS,
  clients: txnClients,
  launch: (plan: NodePlan) => planProgram(new URL('./node.js', import.meta.url), plan),
  ready: everyNodeAnswers,
  // Faults aimed at the primary hit the coordinator with the most transactions collecting votes.
  primary: busiestCoordinator,
};

export default txn2pc;
