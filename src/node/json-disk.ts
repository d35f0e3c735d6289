/**
 * A bundled node's disk in the shape consensus cores want: one small JSON document replaced
 * atomically (a promise, an epoch) and an append-only log of JSON records (accepted values, log
 * entries), both made durable before `save` resolves (storage.ts: fsync, group commit).
 * Recovery reads the document and every intact record up to the first unreadable one.
 */
import { join } from 'node:path';
import type { Logger } from './logger.js';
import { readJsonFile, RecordLog, writeFileAtomic } from './storage.js';

export interface DiskFiles {
  /** The document's file name in the data directory. */
  meta: string;
  /** The record log's file name in the data directory. */
  log: string;
}

export interface Recovered {
  disk: JsonDisk;
  /** The document as last saved; undefined when none was. */
  meta: unknown;
  /** The records, in the order they were appended. */
  records: unknown[];
}

export class JsonDisk {
  private constructor(
    private readonly metaPath: string,
    private readonly log: RecordLog,
  ) {}

  static async open(dir: string, files: DiskFiles, logger?: Logger): Promise<Recovered> {
    const meta = await readJsonFile(join(dir, files.meta));
    const { log, records: raw, discardedBytes } = await RecordLog.open(join(dir, files.log));
    if (discardedBytes > 0) logger?.warn('log recovery: cut a torn tail', { bytes: discardedBytes });
    const records: unknown[] = [];
    for (const payload of raw) {
      try {
        records.push(JSON.parse(payload.toString('utf8')));
      } catch {
        logger?.error('log recovery: unreadable record; ignoring the rest');
        break;
      }
    }
    return { disk: new JsonDisk(join(dir, files.meta), log), meta, records };
  }

  /**
   * Make `records` and then `meta` (when given) durable. Records first: a document that says
   * "synced with epoch 5" must never be on disk without the history it speaks of.
   */
  async save(meta: unknown, records: readonly unknown[] = []): Promise<void> {
    if (records.length > 0) await this.log.append(records.map((r) => Buffer.from(JSON.stringify(r))));
    if (meta !== undefined) await writeFileAtomic(this.metaPath, JSON.stringify(meta));
  }

  syncCount(): number {
    return this.log.syncCount();
  }

  close(): Promise<void> {
    return this.log.close();
  }
}

/**
 * Records waiting for the disk, and a progress mark (how far entries are known chosen or
 * committed) that rides along with them. The mark can be learned again after a restart, so it is
 * never worth an fsync of its own, which would delay every answer to a client.
 */
export class RecordBuffer<R> {
  private items: R[] = [];

  constructor(
    private readonly markRecord: (mark: number) => R,
    private savedMark = 0,
  ) {}

  push(record: R): void {
    this.items.push(record);
  }

  /** Forget what is waiting and take `mark` as written (after rebuilding from the disk). */
  reset(mark: number): void {
    this.items = [];
    this.savedMark = mark;
  }

  /** The records since the last call, with `mark` when it moved on; none when nothing else waits. */
  take(mark: number): R[] {
    if (this.items.length === 0) return [];
    const out = this.items;
    this.items = [];
    if (mark > this.savedMark) {
      out.push(this.markRecord(mark));
      this.savedMark = mark;
    }
    return out;
  }
}
