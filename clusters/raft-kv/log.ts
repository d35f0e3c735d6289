/** raft-kv's log is the shared Raft core's (src/node/raft/log.ts); named here for raft-kv's tests. */
export type { Entry, LogWrite } from '../../src/node/raft/log.js';
