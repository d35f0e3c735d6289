/** raft-kv's disk is the shared Raft core's (src/node/raft/persist.ts); named here for raft-kv's tests. */
export { RaftDisk, replay } from '../../src/node/raft/persist.js';
