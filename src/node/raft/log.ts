/**
 * The in-memory Raft log: entries with 1-based indexes (index 0 is the empty prefix, term 0),
 * plus tracking of which suffix changed since it was last handed to storage.
 */
/** One log entry: the term it was proposed in and the state machine's command. */
export interface Entry<Cmd = unknown> {
  term: number;
  cmd: Cmd;
}

/** A change storage must make durable: drop entries at index >= from, then append `entries`. */
export interface LogWrite<Cmd = unknown> {
  from: number;
  entries: Entry<Cmd>[];
}

export class RaftLog<Cmd = unknown> {
  private entries: Entry<Cmd>[];
  /** Lowest index changed since the last takeWrite(); Infinity when clean. */
  private dirtyFrom = Number.POSITIVE_INFINITY;

  constructor(entries: readonly Entry<Cmd>[] = []) {
    this.entries = [...entries];
  }

  get lastIndex(): number {
    return this.entries.length;
  }

  get lastTerm(): number {
    return this.term(this.entries.length) ?? 0;
  }

  /** Term of the entry at `index` (0 for index 0), undefined past the end. */
  term(index: number): number | undefined {
    if (index === 0) return 0;
    return this.entries[index - 1]?.term;
  }

  get(index: number): Entry<Cmd> | undefined {
    return index >= 1 ? this.entries[index - 1] : undefined;
  }

  /** Entries from `from` to `to` inclusive (clamped to the log). */
  slice(from: number, to: number = this.lastIndex): Entry<Cmd>[] {
    return this.entries.slice(Math.max(from, 1) - 1, Math.min(to, this.lastIndex));
  }

  append(entry: Entry<Cmd>): number {
    this.entries.push(entry);
    this.markDirty(this.entries.length);
    return this.entries.length;
  }

  /** Drop every entry at index >= from. */
  truncateFrom(from: number): void {
    if (from > this.lastIndex) return;
    this.entries.length = Math.max(from - 1, 0);
    this.markDirty(Math.max(from, 1));
  }

  /**
   * Put `entries` after `prevIndex` (which must match): entries already present with the same
   * term are kept, the first conflicting one and everything after it are replaced. Returns the
   * index truncated from, if any.
   */
  merge(prevIndex: number, entries: readonly Entry<Cmd>[]): number | undefined {
    let index = prevIndex;
    for (let k = 0; k < entries.length; k++) {
      index++;
      const mine = this.term(index);
      if (mine === entries[k]!.term) continue;
      if (mine !== undefined) this.truncateFrom(index);
      for (; k < entries.length; k++) this.append(entries[k]!);
      return mine === undefined ? undefined : index;
    }
    return undefined;
  }

  /** The first index of the run of `term` that contains `index` (for fast backtracking). */
  firstIndexOfTermAt(index: number): number {
    const t = this.term(index);
    let i = index;
    while (i > 1 && this.term(i - 1) === t) i--;
    return i;
  }

  /** The last index holding an entry of `term`, or 0 when the log has none. */
  lastIndexOfTerm(term: number, upTo: number = this.lastIndex): number {
    for (let i = Math.min(upTo, this.lastIndex); i >= 1; i--) {
      const t = this.term(i)!;
      if (t === term) return i;
      if (t < term) return 0;
    }
    return 0;
  }

  /** Is a log ending at (lastTerm, lastIndex) at least as up to date as this one? */
  isUpToDate(lastTerm: number, lastIndex: number): boolean {
    return lastTerm > this.lastTerm || (lastTerm === this.lastTerm && lastIndex >= this.lastIndex);
  }

  /** The change since the last call, for storage; undefined when nothing changed. */
  takeWrite(): LogWrite<Cmd> | undefined {
    if (this.dirtyFrom === Number.POSITIVE_INFINITY) return undefined;
    const from = this.dirtyFrom;
    this.dirtyFrom = Number.POSITIVE_INFINITY;
    return { from, entries: this.slice(from) };
  }

  /** Mark the whole log as changed from `from` on (e.g. after a forced reset). */
  markDirty(from: number): void {
    if (from < this.dirtyFrom) this.dirtyFrom = from;
  }
}
