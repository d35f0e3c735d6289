/**
 * A cluster backend's nodes by name, each with a queue of operations (start, stop, kill, pause,
 * resume): an operation on a node waits for the ones called on it before, so two starts never
 * overlap and a start during a stop takes effect after it. Operations on different nodes run at once.
 */
import { serially } from './serially.js';

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
    return serially(this.get(node), op);
  }
}
