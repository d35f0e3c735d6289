/**
 * The key-value store on the shared Raft core (./core.ts): the bundled key-value state machine
 * (../kv/state-machine.ts) replicated through the log. Writes and cas go through the log; reads
 * are served as the read mode says (read index, through the log, or a clock lease). raft-kv's
 * node core, and each shard's replica group in sharded-kv.
 */
import type { KvRequest } from '../kv/protocol.js';
import { KvStateMachine, resultReply, type Command } from '../kv/state-machine.js';
import type { RaftConfig } from './config.js';
import { RaftCore, type RaftMachine } from './core.js';
import type { Persisted, RaftEnv } from './types.js';

export type { HardState, Persisted, RaftEnv, Ready } from './types.js';

/** The key-value store as the Raft core replicates it. */
function kvMachine(sm: KvStateMachine): RaftMachine<Command> {
  return {
    noop: () => ({ op: 'noop' }),
    apply: (cmd) => resultReply(sm.apply(cmd)),
    query: (key) => sm.get(key),
    readCommand: (key, rid) => ({ op: 'read', key, rid }),
  };
}

export class KvRaft extends RaftCore<Command> {
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
