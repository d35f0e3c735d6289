/**
 * raft-kv: the bundled Raft key-value store faultline tests itself against. A real Raft (leader
 * election, log replication, fsync before acknowledging, restart recovery) with linearizable
 * reads by default and known bugs that can be switched on.
 */
import type { NodePlan, SystemDef } from '../../src/api/cluster.js';
import { planProgram } from '../../src/node/entry.js';
import { registerClient } from '../../src/node/kv/client.js';
import { leaderHooks } from '../../src/node/kv/probe.js';
import { BUGS } from './bugs.js';
import { READ_MODES } from './config.js';

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

  launch: (plan: NodePlan) => planProgram(new URL('./node.js', import.meta.url), plan),

  ready: leaderHooks.ready,
  primary: leaderHooks.primary,
};

export default raftKv;
