/** Timings and knobs of the multi-paxos-kv core. */
import { Bugs } from './bugs.js';

export const READ_MODES = ['read-index', 'log'] as const;
export type ReadMode = (typeof READ_MODES)[number];

export interface PaxosConfig {
  id: string;
  nodes: readonly string[];
  /** A node that heard from no leader for a time drawn from [electionMinMs, electionMaxMs) runs for leader. */
  electionMinMs: number;
  electionMaxMs: number;
  heartbeatMs: number;
  /** A leader that has not heard from a majority for this long steps down (check-quorum). */
  checkQuorumMs: number;
  /** A client request not answered within this long gets `info: timeout`. */
  requestTimeoutMs: number;
  /** Most slots in one accept or learn message. */
  maxBatch: number;
  readMode: ReadMode;
  bugs: Bugs;
}

export const DEFAULT_TIMINGS = {
  electionMinMs: 300,
  electionMaxMs: 600,
  heartbeatMs: 75,
  checkQuorumMs: 1200,
  requestTimeoutMs: 1000,
  maxBatch: 512,
} as const;

export function makeConfig(
  id: string,
  nodes: readonly string[],
  opts: { readMode?: string; bugs?: readonly string[] } & Partial<typeof DEFAULT_TIMINGS> = {},
): PaxosConfig {
  const { readMode = 'read-index', bugs, ...timings } = opts;
  if (!(READ_MODES as readonly string[]).includes(readMode)) {
    throw new Error(`unknown read-mode "${readMode}" (one of ${READ_MODES.join(', ')})`);
  }
  return { id, nodes, ...DEFAULT_TIMINGS, ...timings, readMode: readMode as ReadMode, bugs: new Bugs(bugs ?? []) };
}
