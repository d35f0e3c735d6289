/**
 * multi-paxos-kv: a key-value store replicated by Multi-Paxos with a stable leader (paxos.ts),
 * with linearizable read / write / cas on string keys by default and known bugs behind `--bug`.
 */
import type { NodePlan, SystemDef } from '../../src/api/cluster.js';
import { planProgram } from '../../src/node/entry.js';
import { registerClient } from '../../src/node/kv/client.js';
import { readModeOption } from '../../src/node/kv/config.js';
import { leaderHooks } from '../../src/node/kv/probe.js';
import { BUGS } from './bugs.js';

export const multiPaxosKv: SystemDef = {
  name: 'multi-paxos-kv',
  description:
    'Bundled Multi-Paxos key-value store (stable leader, phase 1 once per ballot for all open ' +
    'slots, durable acceptors, slot recovery on leader change); linearizable read/write/cas',
  bugs: BUGS,
  options: { 'read-mode': readModeOption },
  clients: { register: registerClient },
  launch: (plan: NodePlan) => planProgram(new URL('./node.js', import.meta.url), plan),
  ready: leaderHooks.ready,
  primary: leaderHooks.primary,
};

export default multiPaxosKv;
