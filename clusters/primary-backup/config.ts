/** The primary-backup core's configuration: the shared core timings (src/node/kv/config.ts), its bugs and its log writer. */
import { makeCoreConfig, type ConfigOptions, type CoreConfig } from '../../src/node/kv/config.js';
import { bugSet, type Bugs } from './bugs.js';

export interface PbConfig extends CoreConfig<Bugs> {
  /** With bug ack-before-persist: how often the log is written out in the background. */
  lazyFlushMs: number;
}

export function makeConfig(id: string, nodes: readonly string[], opts: ConfigOptions & { lazyFlushMs?: number } = {}): PbConfig {
  const { lazyFlushMs = 1000, ...rest } = opts;
  return { ...makeCoreConfig(id, nodes, rest, bugSet), lazyFlushMs };
}
