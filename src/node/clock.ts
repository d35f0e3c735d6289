/**
 * The one clock of bundled nodes. It reads true time and adds the offset faultline writes into
 * the node's clock file (milliseconds as text, e.g. `-30000`), so the clock nemesis can skew a
 * running node without restarting it. Protocol code calls `clock.now()`, never `Date.now()`.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** How long a read offset stays fresh; a skew takes effect within this time. */
const REFRESH_MS = 20;

export class Clock {
  private offsetMs = 0;
  private readAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly file?: string) {}

  /** Milliseconds since the epoch, as this node believes. */
  now(): number {
    this.refresh();
    return Date.now() + this.offsetMs;
  }

  /** The offset in force, in milliseconds. */
  offset(): number {
    this.refresh();
    return this.offsetMs;
  }

  private refresh(): void {
    if (!this.file) return;
    const t = performance.now();
    if (t - this.readAt < REFRESH_MS) return;
    this.readAt = t;
    this.offsetMs = readClockFile(this.file);
  }
}

/** The offset a clock file holds; a missing or empty file means no skew. */
export function readClockFile(file: string): number {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch {
    return 0;
  }
  const value = Number(text);
  return text === '' || !Number.isFinite(value) ? 0 : value;
}
