/**
 * gossip-counter: a PN-counter (./pn-counter.ts) replicated by gossip. Every node takes adds and
 * answers reads at once from its own replica and sends its whole state to every peer every
 * 100 ms; replicas merge by the maximum per entry, so once gossip flows again they converge.
 * Reads are not linearizable (a node cut off answers what it knows): the `counter` workload
 * checks what such a counter promises, reads within the bounds of the adds.
 */
import type { NodePlan, SystemDef } from '../../src/api/cluster.js';
import { planProgram } from '../../src/node/entry.js';
import { lineClient } from '../../src/node/kv/client.js';
import { everyNodeAnswers } from '../../src/node/kv/probe.js';
import { BUGS } from './bugs.js';
import { counterRequest } from './protocol.js';

export const gossipCounter: SystemDef = {
  name: 'gossip-counter',
  description:
    'Bundled PN-counter replicated by gossip (per-node increment and decrement totals, merged by ' +
    'the maximum per entry, whole state gossiped to every peer every 100 ms); add and read on any node',
  bugs: BUGS,
  clients: { counter: lineClient(counterRequest) },
  launch: (plan: NodePlan) => planProgram(new URL('./node.js', import.meta.url), plan),
  ready: everyNodeAnswers,
};

export default gossipCounter;
