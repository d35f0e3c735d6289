/** What a primary-backup node recovers from disk when it starts: its epochs and its history. */
import type { CoreEnv } from '../../src/node/kv/run-node.js';
import { History } from './history.js';

/** The epochs a node keeps in its metadata file. */
export interface Epochs {
  /** The newest epoch it joined (it ignores primaries of older ones). */
  accepted: number;
  /** The epoch of the last primary it synced its history with. */
  current: number;
}

/** What a node finds on disk: its epochs, if saved, and its history records in order. */
export interface Persisted {
  epochs?: Epochs;
  records: readonly unknown[];
}

export function recover(env: CoreEnv, persisted: Persisted): { epochs: Epochs; history: History } {
  const epochs = persisted.epochs ?? { accepted: 0, current: 0 };
  return { epochs: { ...epochs }, history: History.replay(persisted.records, (m) => env.log('warn', m)) };
}

/** Read epochs back from a metadata document; undefined when it is not one. */
export function asEpochs(meta: unknown): Epochs | undefined {
  const m = meta as Partial<Epochs> | undefined;
  return typeof m?.accepted === 'number' && typeof m.current === 'number' ? { accepted: m.accepted, current: m.current } : undefined;
}
