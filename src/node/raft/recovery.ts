/**
 * What a Raft node recovers from disk when it starts: its log, current term and vote. The
 * known bug `no-log-recovery` lives here, since it is a mistake in exactly this step.
 */
import type { RaftConfig } from './config.js';
import { RaftLog, type Entry } from './log.js';
import type { HardState, Persisted, RaftEnv } from './types.js';

/** A node's durable state as the core starts from it. */
export interface Recovered<Cmd> {
  log: RaftLog<Cmd>;
  term: number;
  votedFor: string | null;
  /** The hard state as found on disk (what the core compares against before persisting). */
  saved: HardState;
}

/**
 * Rebuild the durable state from what was found on disk. With bug `no-log-recovery` the log is
 * discarded (and marked for rewriting, so the disk forgets it too) while term and vote are kept.
 */
export function recover<Cmd>(cfg: RaftConfig, env: RaftEnv, persisted: Persisted): Recovered<Cmd> {
  let entries = persisted.entries;
  const forget = cfg.bugs.has('no-log-recovery') && entries.length > 0;
  if (forget) {
    env.log('warn', 'bug no-log-recovery: discarding the recovered log', { entries: entries.length });
    entries = [];
  }
  // The log holds only commands this system's leaders appended.
  const log = new RaftLog<Cmd>(entries as Entry<Cmd>[]);
  if (forget) log.markDirty(1);
  const saved = persisted.hardState ?? { term: 0, votedFor: null };
  // Without a persisted term (bug no-fsync-vote) the best guess is the last log entry's term.
  const term = Math.max(saved.term, log.lastTerm);
  return { log, term, votedFor: saved.term === term ? saved.votedFor : null, saved: { ...saved } };
}
