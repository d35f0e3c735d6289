/** The multi-paxos-kv core's configuration: the shared core timings (src/node/kv/config.ts) and its bugs. */
import { makeCoreConfig, type ConfigOptions, type CoreConfig } from '../../src/node/kv/config.js';
import { bugSet, type Bugs } from './bugs.js';

export type PaxosConfig = CoreConfig<Bugs>;

export function makeConfig(id: string, nodes: readonly string[], opts: ConfigOptions = {}): PaxosConfig {
  return makeCoreConfig(id, nodes, opts, bugSet);
}
