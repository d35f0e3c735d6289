/**
 * The checkers of the `lock` workload: `mutex` (mutual exclusion, as linearizability against
 * the mutex model, ./mutex-model.ts) and `fencing` (fencing-token monotonicity, ./fencing.ts).
 */
import type { Checker } from '../../src/api/checker.js';
import { linearizable } from '../linearizable/index.js';
import { withCrashedHoldsReleased } from './crashed-holders.js';
import { LOCK_FUNCTIONS, mutexModel } from './mutex-model.js';

export { fencing, fencingViolations } from './fencing.js';
export { mutexModel, type MutexState } from './mutex-model.js';

/**
 * Mutual exclusion: the acquires and releases of each lock (the operation's key) linearize
 * against the mutex model. The history's other operations (writes to the fenced resource) are
 * the fencing checker's; they are left out here, keeping the order of the rest. A hold whose
 * client crashed ends by an implied release (./crashed-holders.ts).
 */
export function mutex(): Checker {
  const lin = linearizable({ model: mutexModel });
  const fs: readonly string[] = LOCK_FUNCTIONS;
  return {
    name: 'mutex',
    check: (history, opts) => {
      const lockOps = history.filter((op) => op.process === 'nemesis' || fs.includes(op.f));
      return lin.check(withCrashedHoldsReleased(lockOps, history), opts);
    },
  };
}
