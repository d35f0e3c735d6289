/** raft-kv's messages are the shared Raft core's (src/node/raft/messages.ts); named here for raft-kv's tests. */
export { isRaftMessage, type RaftMessage } from '../../src/node/raft/messages.js';
