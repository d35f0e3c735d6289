/**
 * A cluster backend's nodes by name, each with a queue of operations (start, stop, kill, pause,
 * resume): an operation on a node waits for the ones called on it before, whether they worked or
 * not, so two starts never overlap and a start during a stop takes effect after it. Operations on
 * different nodes run at once. Every backend's cluster (local, docker, ssh) keeps its nodes here.
 */
export class NodeSlots<S extends { queue: Promise<void> }> {
  private readonly slots = new Map<string, S>();

  add(node: string, slot: S): void {
    this.slots.set(node, slot);
  }

  /** The slot of `node`; throws for a name the cluster does not have. */
  get(node: string): S {
    const slot = this.slots.get(node);
    if (!slot) throw new Error(`no node named ${node}`);
    return slot;
  }

  all(): S[] {
    return [...this.slots.values()];
  }

  /** Run `op` once every operation called before on `node` is done (whether it worked or not). */
  enqueue(node: string, op: (slot: S) => Promise<void>): Promise<void> {
    const slot = this.get(node);
    const run = slot.queue.then(() => op(slot));
    // The queue holds the last operation's promise, never rejected: a failure is its caller's.
    slot.queue = run.catch(() => undefined);
    return run;
  }
}
