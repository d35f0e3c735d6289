/**
 * raft-kv's node core: the shared Raft core (src/node/raft/core.ts) replicating the bundled
 * key-value state machine (src/node/kv/state-machine.ts). Writes and cas go through the log;
 * reads are served as the read mode says (read index, through the log, or a clock lease).
 */
import type { KvRequest } from '../../src/node/kv/protocol.js';
import { KvStateMachine, resultReply, type Command } from '../../src/node/kv/state-machine.js';
import type { RaftConfig } from '../../src/node/raft/config.js';
import { RaftCore, type RaftMachine } from '../../src/node/raft/core.js';
import type { Persisted, RaftEnv } from '../../src/node/raft/types.js';

export type { HardState, Persisted, RaftEnv, Ready } from '../../src/node/raft/types.js';

/** The key-value store as the Raft core replicates it. */
function kvMachine(sm: KvStateMachine): RaftMachine<Command> {
  return {
    noop: () => ({ op: 'noop' }),
    apply: (cmd) => resultReply(sm.apply(cmd)),
    query: (key) => sm.get(key),
    readCommand: (key, rid) => ({ op: 'read', key, rid }),
  };
}

export class Raft extends RaftCore<Command> {
  /** The applied key-value state. */
  readonly sm: KvStateMachine;

  constructor(cfg: RaftConfig, env: RaftEnv, persisted: Persisted) {
    const sm = new KvStateMachine();
    super(cfg, env, persisted, kvMachine(sm));
    this.sm = sm;
  }

  request(rid: string, req: KvRequest): void {
    switch (req.f) {
      case 'write':
        return this.propose({ op: 'write', key: req.key, value: req.value, rid }, rid);
      case 'cas': {
        const [expected, value] = req.value;
        return this.propose({ op: 'cas', key: req.key, expected, value, rid }, rid, 'cas');
      }
      case 'read':
        return this.read(rid, req.key);
    }
  }
}
