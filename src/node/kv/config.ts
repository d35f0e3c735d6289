/**
 * Timings and knobs shared by the leader-based cores (multi-paxos-kv, primary-backup). The
 * defaults elect a 5-node loopback cluster well under 2 s and bring a healed cluster back within
 * about one election timeout.
 */

/** How a leader serves reads: confirm its leadership with a heartbeat round, or through the log. */
export const READ_MODES = ['read-index', 'log'] as const;
export type ReadMode = (typeof READ_MODES)[number];

export interface CoreTimings {
  /** A node that heard from no leader for a time drawn from [electionMinMs, electionMaxMs) runs for leader. */
  electionMinMs: number;
  electionMaxMs: number;
  heartbeatMs: number;
  /** A leader that has not heard from a majority for this long steps down (check-quorum). */
  checkQuorumMs: number;
  /** A client request not answered within this long gets `info: timeout`. */
  requestTimeoutMs: number;
  /** Most log entries (slots) in one message. */
  maxBatch: number;
}

export interface CoreConfig<Bugs> extends CoreTimings {
  id: string;
  nodes: readonly string[];
  readMode: ReadMode;
  bugs: Bugs;
}

export const DEFAULT_TIMINGS: CoreTimings = {
  electionMinMs: 300,
  electionMaxMs: 600,
  heartbeatMs: 75,
  checkQuorumMs: 1200,
  requestTimeoutMs: 1000,
  maxBatch: 512,
};

export type ConfigOptions = { readMode?: string; bugs?: readonly string[] } & Partial<CoreTimings>;

/** A checked configuration; `bugs` turns the bug names into the system's bug set (which checks them). */
export function makeCoreConfig<Bugs>(
  id: string,
  nodes: readonly string[],
  opts: ConfigOptions,
  bugs: (names: readonly string[]) => Bugs,
): CoreConfig<Bugs> {
  const { readMode = 'read-index', bugs: names, ...timings } = opts;
  if (!(READ_MODES as readonly string[]).includes(readMode)) {
    throw new Error(`unknown read-mode "${readMode}" (one of ${READ_MODES.join(', ')})`);
  }
  return { id, nodes, ...DEFAULT_TIMINGS, ...timings, readMode: readMode as ReadMode, bugs: bugs(names ?? []) };
}

/** The `--read-mode` option of a system built on these cores, for its SystemDef. */
export const readModeOption = {
  describe:
    'how the leader serves reads: read-index (confirm leadership with a heartbeat round a majority ' +
    'acknowledges) or log (reads are replicated like writes)',
  choices: READ_MODES,
  default: 'read-index',
} as const;
