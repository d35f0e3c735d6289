/**
 * The checker's memory: how much it may use in all, and the guard that keeps the JavaScript
 * heap of the thread a search runs on from filling up.
 *
 * Why both: the search's own tables are typed arrays outside the JavaScript heap and are
 * counted exactly (search.ts, compile.ts), but interned states live on the heap, and a thread
 * whose heap fills up dies with a fatal error that no `catch` sees. So a search stops with
 * `unknown` when its tables pass its share of the budget, or when the heap of its thread nears
 * the heap's limit, whichever comes first; a worker thread also gets its share as a hard heap
 * limit, so even a runaway allocation ends that worker (and that key), not the process.
 */
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';

/** Default share of the machine's memory the checker may use. */
const DEFAULT_FRACTION = 0.25;
/** Stop a search when the heap of its thread is this full. */
const HEAP_FULL = 0.85;
/** Least memory worth giving a search. */
export const MIN_SHARE_BYTES = 64 * 2 ** 20;

let known: number | undefined;

/** The machine's memory as this process sees it (a cgroup limit, when there is one); read once, as it costs a system call per check otherwise. */
export function machineMemory(): number {
  if (known !== undefined) return known;
  const constrained = (process as { constrainedMemory?: () => number | undefined }).constrainedMemory?.();
  const total = totalmem();
  known = constrained !== undefined && constrained > 0 && constrained < total ? constrained : total;
  return known;
}

/** The default memory budget of a check: a quarter of the machine's memory. */
export function defaultMemoryBudget(): number {
  return Math.floor(machineMemory() * DEFAULT_FRACTION);
}

/** Why this thread's heap is too full to go on, or undefined. */
export function heapTooFull(): string | undefined {
  const h = getHeapStatistics();
  if (h.used_heap_size <= HEAP_FULL * h.heap_size_limit) return undefined;
  return `the JavaScript heap reached ${Math.round(h.used_heap_size / 2 ** 20)} of its ${Math.round(h.heap_size_limit / 2 ** 20)} MiB`;
}

/** "1.5 GiB" / "640 MiB": a byte count for messages. */
export function formatBytes(bytes: number): string {
  return bytes >= 2 ** 30 ? `${Math.round((bytes / 2 ** 30) * 10) / 10} GiB` : `${Math.round(bytes / 2 ** 20)} MiB`;
}
