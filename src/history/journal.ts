/**
 * The durable history: every operation is numbered, timed and written to `history.jsonl` with
 * a synchronous write the moment it is recorded, so a crash of the harness (even kill -9)
 * leaves every recorded operation on disk. An fdatasync every second also guards against a
 * crash of the machine, at a cost that does not grow with the operation rate.
 */
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import type { Op, OpDraft } from '../api/op.js';

const SYNC_EVERY_MS = 1000;

export class Journal {
  private readonly fd: number;
  private startNs: bigint;
  private nextIndex = 0;
  private syncTimer: NodeJS.Timeout;
  private closed = false;
  private readonly listeners: ((op: Op) => void)[] = [];

  constructor(readonly path: string, startNs: bigint = process.hrtime.bigint()) {
    this.fd = openSync(path, 'a');
    this.startNs = startNs;
    this.syncTimer = setInterval(() => this.sync(), SYNC_EVERY_MS);
    this.syncTimer.unref();
  }

  /**
   * Make `startNs` (a `process.hrtime.bigint()` reading) history time 0; the runner sets it to
   * the workload's start, so history, schedule and report share one time base. Only before the
   * first operation is recorded.
   */
  setOrigin(startNs: bigint): void {
    if (this.nextIndex > 0) throw new Error('the history time origin moves only before anything is recorded');
    this.startNs = startNs;
  }

  /** Nanoseconds since the journal's origin on the monotonic clock. */
  elapsedNs(): number {
    return Number(process.hrtime.bigint() - this.startNs);
  }

  /** Number, time and append one operation; returns the recorded op. */
  record(draft: OpDraft): Op {
    if (this.closed) throw new Error(`history ${this.path} is closed`);
    const op: Op = { index: this.nextIndex++, time: this.elapsedNs(), ...draft };
    // One line, all of it: a short write must not leave a torn line in the middle of the file.
    const line = Buffer.from(JSON.stringify(op) + '\n');
    for (let done = 0; done < line.length; ) done += writeSync(this.fd, line, done);
    for (const listener of this.listeners) listener(op);
    return op;
  }

  /** Call `listener` with every op recorded from now on (progress display, stats). */
  onRecord(listener: (op: Op) => void): void {
    this.listeners.push(listener);
  }

  get count(): number {
    return this.nextIndex;
  }

  private sync(): void {
    if (!this.closed) fdatasyncSync(this.fd);
  }

  close(): void {
    if (this.closed) return;
    clearInterval(this.syncTimer);
    this.sync();
    this.closed = true;
    closeSync(this.fd);
  }
}
