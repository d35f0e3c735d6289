/**
 * One instant read on the two clocks that files of a run are stamped with: wall-clock time
 * (node logs, which people read) and the machine's monotonic clock (the history, message
 * traces). The harness reads it when the workload starts (history time 0) and a node when it
 * opens its message trace, so the report can place node events on the history's time axis:
 * exactly through the monotonic clock when both ran under the same kernel (same boot id: local
 * processes and containers), otherwise through the wall clock (remote hosts; as good as their
 * clock synchronisation).
 */
import { readFileSync } from 'node:fs';

export interface ClockReading {
  /** Wall-clock milliseconds since the epoch. */
  wallMs: number;
  /** CLOCK_MONOTONIC in nanoseconds (`process.hrtime`), shared by every process of one kernel. */
  monoNs: number;
  /** The kernel's boot id (Linux); monotonic readings compare only under the same one. */
  bootId?: string;
}

let cachedBootId: string | null | undefined;

function bootId(): string | undefined {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
    } catch {
      cachedBootId = null;
    }
  }
  return cachedBootId ?? undefined;
}

/** Both clocks now. */
export function readClocks(): ClockReading {
  const monoNs = Number(process.hrtime.bigint());
  const id = bootId();
  return { wallMs: Date.now(), monoNs, ...(id !== undefined && { bootId: id }) };
}

/**
 * Nanoseconds from `origin` to an instant read as `reading` by another process: by the
 * monotonic clock when both share a kernel, else by the wall clock.
 */
export function nsSince(origin: ClockReading, reading: ClockReading): number {
  if (origin.bootId !== undefined && origin.bootId === reading.bootId) return reading.monoNs - origin.monoNs;
  return (reading.wallMs - origin.wallMs) * 1e6;
}
