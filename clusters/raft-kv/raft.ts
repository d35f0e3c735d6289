/**
 * raft-kv's node core: the shared key-value store on the shared Raft core (src/node/raft/kv.ts);
 * named here for raft-kv's node and tests.
 */
export { KvRaft as Raft } from '../../src/node/raft/kv.js';
export type { HardState, Persisted, RaftEnv, Ready } from '../../src/node/raft/types.js';
