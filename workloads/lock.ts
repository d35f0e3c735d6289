/**
 * `lock`: every client thread contends for the same few named locks (Jepsen's lock workloads):
 * acquire, write to the lock's fenced resource with the token granted, release; then again. The
 * mutex checker judges the acquires and releases as a linearizable mutex; the fencing checker
 * judges the tokens, as granted and as the fenced resource accepted them.
 *
 * Laid out to find bugs: a few locks (3 by default) that every thread draws from, so each grant
 * races the acquires of the other threads drawing the same lock, and each hold writes to the
 * resource, so a stale holder's write lands next to the new holder's. More than one lock because
 * a holder cut off mid-hold (its operation timed out: the thread moves on as a fresh process)
 * leaves its lock held by a session nobody renews until its lease and grace run out after the
 * next leader takes office, and a nemesis that changes the leader every few seconds would keep a
 * single lock held that way for most of a run: nothing granted, nothing for the checkers to judge.
 * So, too, a lock granted in a replica's state to a session whose thread was told `held` (replicas
 * that diverged) stays held while that thread renews its session; the other locks still grant.
 * A holder keeps the lock `--hold-ms` after its write before releasing, as a real holder works
 * under its lock: a grant handed out early (a lease expired too soon) then meets a
 * holder that is still live, where a hold of a few milliseconds would mostly have ended. A
 * thread releases only what it acquired (the generator sees completions): a release that surely
 * did not happen (the node was unreachable, it did not lead) is tried again; one the service
 * refused (`not-holder`: the lock was taken away) or whose outcome is unknown ends the hold.
 */
import type { Invocation } from '../src/api/client.js';
import type { GenContext, GenEvent, GenStep, Generator } from '../src/api/generator.js';
import type { WorkloadDef } from '../src/api/workload.js';
import { fencing, mutex } from '../checkers/lock/index.js';
import { stats } from '../checkers/stats.js';

/** Refusals after which a hold is over: the lock is not this thread's any more. */
const HOLD_ENDED = new Set(['not-holder', 'session-expired']);

/** A lock held: its token, and once written under, when the holder lets go (ms, `ctx.time`). */
type Hold = { lock: string; token: number; releaseAt?: number };

/** One thread's cycle: acquire one of `locks`; while holding, write once, keep it `holdMs`, then release. */
export class LockCycle implements Generator {
  constructor(
    private readonly locks: number,
    private readonly holdMs: number,
    private readonly hold?: Hold,
  ) {}

  op(ctx: GenContext): GenStep {
    const h = this.hold;
    if (!h) return { op: { f: 'acquire', key: `lock-${ctx.rng.int(this.locks)}`, value: null }, gen: this };
    if (h.releaseAt !== undefined && ctx.time < h.releaseAt) return { waitUntil: h.releaseAt, gen: this };
    const op: Invocation = { f: h.releaseAt === undefined ? 'write' : 'release', key: h.lock, value: h.token };
    return { op, gen: this };
  }

  update(ctx: GenContext, event: GenEvent): Generator {
    const { invocation: inv, type } = event;
    const lock = inv.key ?? 'lock';
    const free = new LockCycle(this.locks, this.holdMs);
    if (inv.f === 'acquire') {
      return type === 'ok' && typeof event.value === 'number' ? new LockCycle(this.locks, this.holdMs, { lock, token: event.value }) : this;
    }
    const h = this.hold;
    if (!h || type === 'info') return free;
    if (inv.f === 'write') {
      return type === 'fail' && HOLD_ENDED.has(event.error ?? '') ? free : new LockCycle(this.locks, this.holdMs, { ...h, releaseAt: ctx.time + this.holdMs });
    }
    // A release: done when it happened or was refused for good; tried again when surely not sent.
    return type === 'ok' || HOLD_ENDED.has(event.error ?? '') ? free : this;
  }
}

export const lock: WorkloadDef = {
  name: 'lock',
  description:
    'acquire / write with the token / release on a few named locks shared by every thread; checked as a linearizable mutex and for fencing-token monotonicity at the fenced resource',
  options: {
    locks: { describe: 'named locks the threads contend for (each acquire draws one)', default: 3, min: 1, max: 1000, integer: true },
    'hold-ms': { describe: 'how long a holder keeps the lock after writing under it, in ms', default: 500, min: 0, max: 60_000, integer: true },
  },
  build(ctx) {
    return {
      generator: new LockCycle(Number(ctx.options.locks), Number(ctx.options['hold-ms'])),
      checkers: { mutex: mutex(), fencing: fencing(), stats: stats() },
    };
  },
};
