/**
 * Session and real-time order edges: what strong-session and strict models add to the data
 * dependencies.
 *
 * Process order relates each `ok` transaction to the next `ok` one of the same client process.
 * Real-time order relates a committed (`ok`) transaction to every transaction invoked after it
 * completed; only a transitive reduction is kept (Elle's trick): a completed transaction stays
 * in a small frontier until a later one that it precedes completes, and each invocation is
 * linked from the frontier alone. Every real-time pair stays connected by a path, so cycles
 * are the same, with about `concurrency` edges per transaction instead of quadratically many.
 * Unknown (`info`) transactions get incoming edges only: they may have happened at any point
 * after their invocation, so nothing is known to follow them.
 */
import { int32 } from './arena.js';
import type { GraphBuilder } from './graph/builder.js';
import { PROCESS, REALTIME } from './graph/rels.js';
import { OK, type TxnHistory } from './history.js';

export class OrderEdges {
  /** Vertex whose `ok` completion is at each history position, else -1. */
  private readonly okAt: Int32Array;
  private frontier = new Int32Array(64);
  private size = 0;
  private cursor = 0;
  private readonly lastOk = new Map<number, number>();

  constructor(
    private readonly h: TxnHistory,
    private readonly process: boolean,
    private readonly realtime: boolean,
  ) {
    this.okAt = int32(realtime ? h.history.length : 0).fill(-1);
    if (realtime) for (let t = 0; t < h.n; t++) if (h.status[t] === OK) this.okAt[h.completePos[t]!] = t;
  }

  /** Add t's incoming order edges; call for t = 0, 1, ... (invocation order). */
  into(t: number, b: GraphBuilder): void {
    const h = this.h;
    if (this.process && h.status[t] === OK) {
      const p = h.process[t]!;
      const prev = this.lastOk.get(p);
      if (prev !== undefined) b.add(prev, PROCESS);
      this.lastOk.set(p, t);
    }
    if (!this.realtime) return;
    for (const end = h.invokePos[t]!; this.cursor < end; this.cursor++) {
      const done = this.okAt[this.cursor]!;
      if (done >= 0) this.completed(done);
    }
    for (let i = 0; i < this.size; i++) b.add(this.frontier[i]!, REALTIME);
  }

  /** `done` completed: whatever completed before it was invoked now precedes it by a path. */
  private completed(done: number): void {
    const invoked = this.h.invokePos[done]!;
    let kept = 0;
    for (let i = 0; i < this.size; i++) if (this.h.completePos[this.frontier[i]!]! > invoked) this.frontier[kept++] = this.frontier[i]!;
    if (kept === this.frontier.length) {
      const bigger = int32(2 * kept);
      bigger.set(this.frontier);
      this.frontier = bigger;
    }
    this.frontier[kept++] = done;
    this.size = kept;
  }
}
