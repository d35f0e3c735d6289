/**
 * The configuration of a raft-kv node: the shared Raft core's (src/node/raft/config.ts) with
 * raft-kv's bug set.
 */
import { DEFAULT_TIMINGS, makeRaftConfig, type RaftConfig } from '../../src/node/raft/config.js';
import { bugSet } from './bugs.js';

export { READ_MODES, type RaftConfig, type ReadMode } from '../../src/node/raft/config.js';

export function makeConfig(
  id: string,
  nodes: readonly string[],
  opts: { readMode?: string; bugs?: readonly string[] } & Partial<typeof DEFAULT_TIMINGS> = {},
): RaftConfig {
  const { bugs, ...rest } = opts;
  return makeRaftConfig(id, nodes, bugSet(bugs ?? []), rest);
}
