/**
 * A node's history: entries with 1-based indexes, and the commit point. Every change is also kept
 * as a record for the disk:
 *
 *   {"i":7,"e":3,"c":{...}}   the entry at index 7 (proposed in epoch 3); drops any later ones
 *   {"cut":7}                 drops the entries from index 7 on
 *   {"commit":6}              entries up to 6 are committed
 *
 * Replaying the records in order rebuilds the history (`History.replay`).
 */
import { RecordBuffer } from '../../src/node/json-disk.js';
import type { Entry } from './messages.js';

export type HistoryRecord = { i: number; e: number; c: Entry['c'] } | { cut: number } | { commit: number };

export class History {
  private entries: Entry[] = [];
  private readonly records = new RecordBuffer<HistoryRecord>((commit) => ({ commit }));
  /** Entries up to here are committed. */
  commit = 0;

  /** Rebuild from records; stops at the first that does not fit. */
  static replay(records: readonly unknown[], warn: (message: string) => void = () => {}): History {
    const h = new History();
    for (const raw of records) {
      const r = raw as Partial<{ i: number; e: number; c: Entry['c']; cut: number; commit: number }>;
      if (typeof r.cut === 'number') h.truncate(r.cut - 1);
      else if (typeof r.commit === 'number') h.commit = Math.max(h.commit, r.commit);
      else if (typeof r.i === 'number' && typeof r.e === 'number' && r.c && r.i >= 1 && r.i <= h.lastIndex + 1) {
        h.truncate(r.i - 1);
        h.append({ e: r.e, c: r.c });
      } else {
        warn('log recovery: record out of place; ignoring the rest');
        break;
      }
    }
    h.commit = Math.min(h.commit, h.lastIndex);
    h.records.reset(h.commit);
    return h;
  }

  get lastIndex(): number {
    return this.entries.length;
  }

  get(i: number): Entry | undefined {
    return i >= 1 ? this.entries[i - 1] : undefined;
  }

  /** Entries from `from` to `to` inclusive (clamped). */
  slice(from: number, to = this.lastIndex): Entry[] {
    return this.entries.slice(Math.max(from, 1) - 1, Math.max(0, Math.min(to, this.lastIndex)));
  }

  append(entry: Entry): number {
    this.entries.push(entry);
    this.records.push({ i: this.entries.length, e: entry.e, c: entry.c });
    return this.entries.length;
  }

  /** Keep entries 1..n only. */
  truncate(n: number): void {
    if (n >= this.lastIndex) return;
    this.entries.length = Math.max(n, 0);
    this.records.push({ cut: n + 1 });
  }

  /**
   * Make the history exactly entries 1..base followed by `entries`, writing only what differs:
   * entries equal to those in place are kept.
   */
  replaceAfter(base: number, entries: readonly Entry[]): void {
    let k = 0;
    while (k < entries.length && sameEntry(this.get(base + 1 + k), entries[k]!)) k++;
    this.truncate(base + k);
    for (; k < entries.length; k++) this.append(entries[k]!);
  }

  /** The records since the last call (the commit point rides along). */
  takeRecords(): HistoryRecord[] {
    return this.records.take(this.commit);
  }

}

function sameEntry(a: Entry | undefined, b: Entry): boolean {
  return a !== undefined && a.e === b.e && JSON.stringify(a.c) === JSON.stringify(b.c);
}
