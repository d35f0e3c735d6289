/**
 * txn-3pc: transactions over the same sharded store as txn-2pc (src/node/txn: consistent hashing,
 * shard storage and locks, participants, clients) by three-phase commit with timeouts: can-commit
 * (prepare and vote), pre-commit, do-commit. Participants decide on their own when the coordinator
 * goes silent (uncertain: abort; pre-committed: commit), so a crashed coordinator blocks nobody,
 * but a partition splits the decision: faultline catches that under `--nemesis partition`.
 */
import type { NodePlan, SystemDef } from '../../src/api/cluster.js';
import { planProgram } from '../../src/node/entry.js';
import { everyNodeAnswers } from '../../src/node/kv/probe.js';
import { txnClients } from '../../src/node/txn/clients.js';
import { nextExposed } from '../../src/node/txn/probe.js';

export const txn3pc: SystemDef = {
  name: 'txn-3pc',
  description:
    'Bundled sharded list store with three-phase commit and timeouts (can-commit, pre-commit, do-commit; the shards, locks ' +
    'and participants of txn-2pc); participants decide on their own when the coordinator is silent, so coordinator crashes ' +
    'block nothing; list-append, rw-register and bank transactions on any node. Known weakness of the correct protocol, ' +
    'not a switchable bug: a network partition splits its decision (a participant cut off before pre-commit aborts while ' +
    'the others commit), which --nemesis partition shows as lost appends and dependency cycles; its primary, for faults ' +
    'aimed at one, is a node that voted yes to a write while its coordinator still waits for other votes',
  bugs: {},
  clients: txnClients,
  launch: (plan: NodePlan) => planProgram(new URL('./node.js', import.meta.url), plan),
  ready: everyNodeAnswers,
  // Cuts aimed at the primary separate an uncertain participant from a coordinator still collecting votes.
  primary: nextExposed,
};

export default txn3pc;
