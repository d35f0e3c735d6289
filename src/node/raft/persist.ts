/**
 * A Raft node's disk: `raft-meta.json` holds currentTerm and votedFor (replaced atomically), and
 * `raft-log.bin` holds the log as an append-only file of records (src/node/storage.ts):
 * `{"i":index,"t":term,"c":command}` writes the entry at index i and drops any later ones,
 * `{"cut":i}` drops the entries from index i on. Replaying the records rebuilds the log.
 */
import { join } from 'node:path';
import type { Logger } from '../logger.js';
import { readJsonFile, RecordLog, writeFileAtomic } from '../storage.js';
import type { Entry } from './log.js';
import type { HardState, Persisted, Ready } from './types.js';

export const META_FILE = 'raft-meta.json';
export const LOG_FILE = 'raft-log.bin';

export class RaftDisk {
  private constructor(
    private readonly dir: string,
    private readonly records: RecordLog,
  ) {}

  static async open(dir: string, logger?: Logger): Promise<{ disk: RaftDisk; persisted: Persisted }> {
    const meta = await readJsonFile(join(dir, META_FILE));
    const { log, records, discardedBytes } = await RecordLog.open(join(dir, LOG_FILE));
    if (discardedBytes > 0) logger?.warn('log recovery: cut a torn tail', { bytes: discardedBytes });
    const entries = replay(records, logger);
    const persisted: Persisted = { entries };
    if (isHardState(meta)) persisted.hardState = meta;
    return { disk: new RaftDisk(dir, log), persisted };
  }

  /** Make a Ready's state durable (hard state first, then the log change). */
  async save(rd: Pick<Ready, 'hardState' | 'log'>): Promise<void> {
    if (rd.hardState) await writeFileAtomic(join(this.dir, META_FILE), JSON.stringify(rd.hardState));
    if (rd.log) {
      const { from, entries } = rd.log;
      const payloads =
        entries.length === 0
          ? [Buffer.from(JSON.stringify({ cut: from }))]
          : entries.map((e, k) => Buffer.from(JSON.stringify({ i: from + k, t: e.term, c: e.cmd })));
      await this.records.append(payloads);
    }
  }

  syncCount(): number {
    return this.records.syncCount();
  }

  close(): Promise<void> {
    return this.records.close();
  }
}

/** Rebuild the log from its records; stops at the first record that does not fit. */
export function replay(records: readonly Buffer[], logger?: Logger): Entry[] {
  const entries: Entry[] = [];
  for (const payload of records) {
    let r: { i?: number; t?: number; c?: Entry['cmd']; cut?: number };
    try {
      r = JSON.parse(payload.toString('utf8'));
    } catch {
      logger?.error('log recovery: unreadable record; ignoring the rest');
      break;
    }
    if (typeof r.cut === 'number') {
      entries.length = Math.min(entries.length, Math.max(r.cut - 1, 0));
      continue;
    }
    if (typeof r.i !== 'number' || typeof r.t !== 'number' || !r.c || r.i < 1 || r.i > entries.length + 1) {
      logger?.error('log recovery: record out of place; ignoring the rest', { index: r.i, length: entries.length });
      break;
    }
    entries.length = r.i - 1;
    entries.push({ term: r.t, cmd: r.c });
  }
  return entries;
}

function isHardState(x: unknown): x is HardState {
  if (typeof x !== 'object' || x === null) return false;
  const h = x as Record<string, unknown>;
  return typeof h.term === 'number' && (h.votedFor === null || typeof h.votedFor === 'string');
}
