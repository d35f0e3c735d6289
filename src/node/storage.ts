/**
 * Durable storage helpers for bundled nodes (their data directory survives kill -9 and restart).
 *
 * - `RecordLog`: an append-only file of checksummed records. Appends are group-committed: every
 *   append made while an fsync is in flight joins the next batch, which is written with one
 *   write and made durable with one fdatasync. Recovery reads records up to the first torn or
 *   corrupt one (a crash mid-write) and cuts the file there.
 * - `writeFileAtomic`: small metadata written to a temp file, fsynced, renamed over the target,
 *   and the directory fsynced, so a reader sees the old or the new content, never a mix.
 *
 * Record format: 4-byte big-endian payload length, 4-byte CRC-32 of the payload, payload.
 */
import { constants as fsc } from 'node:fs';
import { mkdir, open, readFile, rename, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';

const HEADER = 8;
/** Records larger than this are treated as corruption during recovery. */
const MAX_RECORD = 256 * 1024 * 1024;

export interface RecoveredLog {
  log: RecordLog;
  /** Payloads of the intact records, in file order. */
  records: Buffer[];
  /** Bytes cut from the end of the file (a torn or corrupt tail); 0 when clean. */
  discardedBytes: number;
}

interface Batch {
  buffers: Buffer[];
  waiters: Array<{ resolve: () => void; reject: (err: Error) => void }>;
}

export class RecordLog {
  private next: Batch | undefined;
  private flushing = false;
  private closed = false;
  private failed: Error | undefined;
  private syncs = 0;

  private constructor(
    private readonly fh: FileHandle,
    readonly path: string,
    private size: number,
  ) {}

  /** Open (creating if needed) and recover the log at `path`. */
  static async open(path: string): Promise<RecoveredLog> {
    await mkdir(dirname(path), { recursive: true });
    const existed = await exists(path);
    const fh = await open(path, fsc.O_RDWR | fsc.O_CREAT | fsc.O_APPEND, 0o644);
    if (!existed) await fsyncDir(dirname(path));
    const data = await fh.readFile();
    const { records, validBytes } = decodeRecords(data);
    const discardedBytes = data.length - validBytes;
    if (discardedBytes > 0) {
      await fh.truncate(validBytes);
      await fh.sync();
    }
    return { log: new RecordLog(fh, path, validBytes), records, discardedBytes };
  }

  /** Bytes in the file. */
  bytes(): number {
    return this.size;
  }

  /** Number of fdatasync calls made so far (to observe group commit). */
  syncCount(): number {
    return this.syncs;
  }

  /**
   * Append records; resolves once they are on disk. Calls made while a flush is in flight are
   * written together by the next flush.
   */
  append(payloads: readonly Buffer[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('record log is closed'));
    if (this.failed) return Promise.reject(this.failed);
    if (payloads.length === 0 && !this.next && !this.flushing) return Promise.resolve();
    const batch = (this.next ??= { buffers: [], waiters: [] });
    for (const p of payloads) batch.buffers.push(encodeRecord(p));
    const done = new Promise<void>((resolve, reject) => batch.waiters.push({ resolve, reject }));
    if (!this.flushing) void this.flushLoop();
    return done;
  }

  /** Empty the log durably (waits for in-flight appends first). */
  async reset(): Promise<void> {
    await this.append([]);
    await this.fh.truncate(0);
    await this.fh.sync();
    this.size = 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.append([]).catch(() => {});
    this.closed = true;
    await this.fh.close();
  }

  private async flushLoop(): Promise<void> {
    this.flushing = true;
    try {
      while (this.next) {
        const batch = this.next;
        this.next = undefined;
        try {
          if (batch.buffers.length > 0) {
            const buf = batch.buffers.length === 1 ? batch.buffers[0]! : Buffer.concat(batch.buffers);
            let off = 0;
            while (off < buf.length) {
              const { bytesWritten } = await this.fh.write(buf, off, buf.length - off);
              off += bytesWritten;
            }
            this.size += buf.length;
            await this.fh.datasync();
            this.syncs++;
          }
          for (const w of batch.waiters) w.resolve();
        } catch (err) {
          // A failed write leaves the file in an unknown state: refuse all further appends.
          this.failed = err as Error;
          for (const w of batch.waiters) w.reject(this.failed);
          const rest = this.next as Batch | undefined;
          this.next = undefined;
          for (const w of rest?.waiters ?? []) w.reject(this.failed);
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}

export function encodeRecord(payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER + payload.length);
  out.writeUInt32BE(payload.length, 0);
  out.writeUInt32BE(crc32(payload) >>> 0, 4);
  payload.copy(out, HEADER);
  return out;
}

/** Intact records from the start of `data`, stopping at the first torn or corrupt one. */
export function decodeRecords(data: Buffer): { records: Buffer[]; validBytes: number } {
  const records: Buffer[] = [];
  let off = 0;
  while (off + HEADER <= data.length) {
    const len = data.readUInt32BE(off);
    const sum = data.readUInt32BE(off + 4);
    if (len > MAX_RECORD || off + HEADER + len > data.length) break;
    const payload = data.subarray(off + HEADER, off + HEADER + len);
    if (crc32(payload) >>> 0 !== sum) break;
    records.push(payload);
    off += HEADER + len;
  }
  return { records, validBytes: off };
}

/** Write `data` to `path` atomically and durably (temp file, fsync, rename, fsync directory). */
export async function writeFileAtomic(path: string, data: string | Buffer): Promise<void> {
  const dir = dirname(path);
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const fh = await open(tmp, 'w', 0o644);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  await fsyncDir(dir);
}

/** The file's content, or undefined when it does not exist. */
export async function readFileIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Parse a JSON file written by writeFileAtomic; undefined when absent. */
export async function readJsonFile(path: string): Promise<unknown> {
  const data = await readFileIfExists(path);
  return data === undefined ? undefined : JSON.parse(data.toString('utf8'));
}

export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, fsc.O_RDONLY);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    const fh = await open(path, fsc.O_RDONLY);
    await fh.close();
    return true;
  } catch {
    return false;
  }
}
