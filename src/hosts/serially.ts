/**
 * Operations on one node take effect in the order they were called: each waits for the ones
 * called before it on that node, whether they worked or not. Every backend's cluster keeps one
 * such queue per node.
 */

/** What holds a node's queue: the promise of its last operation, never rejected. */
export interface Queued {
  queue: Promise<void>;
}

/** Run `op` on `slot` once every operation queued on it before is done. */
export function serially<S extends Queued>(slot: S, op: (slot: S) => Promise<void>): Promise<void> {
  const run = slot.queue.then(() => op(slot));
  slot.queue = run.catch(() => undefined);
  return run;
}
