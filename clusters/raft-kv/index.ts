/**
 * raft-kv: the bundled Raft key-value store faultline tests itself against. A real Raft (leader
 * election, log replication, fsync before acknowledging, restart recovery) with linearizable
 * reads by default and known bugs that can be switched on.
 */
import { leaderKvSystem } from '../../src/node/kv/system.js';
import { BUGS } from './bugs.js';
import { READ_MODES } from './config.js';

export const raftKv = leaderKvSystem({
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
  program: new URL('./node.js', import.meta.url),
});

export default raftKv;
