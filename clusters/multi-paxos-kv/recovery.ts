/**
 * What a multi-paxos-kv node recovers from disk when it starts: its promised ballot and its
 * slots. The known bug `forget-accepted-on-restart` lives here, since it is a mistake in exactly
 * this step.
 */
import type { CoreEnv } from '../../src/node/kv/run-node.js';
import type { PaxosConfig } from './config.js';
import { SlotLog } from './slots.js';

/** What a node finds on disk: the saved promise, if any, and the slot records in order. */
export interface Persisted {
  promised?: number;
  records: readonly unknown[];
}

export function recover(cfg: PaxosConfig, env: CoreEnv, persisted: Persisted): { promised: number; log: SlotLog } {
  const promised = persisted.promised ?? 0;
  if (cfg.bugs.has('forget-accepted-on-restart') && persisted.records.length > 0) {
    env.log('warn', 'bug forget-accepted-on-restart: not reloading accepted values', { records: persisted.records.length });
    return { promised, log: new SlotLog() };
  }
  const log = SlotLog.replay(persisted.records, (m) => env.log('warn', m));
  // Accepting at a ballot is promising it: a crash between writing an accepted value and the
  // promise (both before any answer) must not leave the promise below it.
  return { promised: Math.max(promised, log.maxBallot()), log };
}
