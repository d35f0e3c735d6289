/**
 * The mutex as a sequential model for the linearizability checker (Knossos' `mutex`, with the
 * holder named by its fencing token): a lock is free or held by one grant. `acquire` succeeds
 * only on a free lock and its output is the token granted; `release` with a token succeeds only
 * when that grant holds the lock.
 *
 * Unknown outcomes: an `acquire` that ended `info` may have been granted, but then its client
 * gave up and its hold ended when its session did, which the history does not show; so it never
 * constrains anyone (it is read-only here, and the checker drops it). A `release` that ended
 * `info` frees the lock at some point after it was invoked, if its grant still held it.
 * A `fail`ed release (`not-holder`: the service had already taken the lock) never reaches the
 * model, so the hold it ends stays open: a later grant to someone else is the violation.
 */
import type { CheckerModel } from '../linearizable/index.js';

/** The token of the grant holding the lock, or null when it is free. */
export type MutexState = number | null;

export const LOCK_FUNCTIONS = ['acquire', 'release'] as const;

export const mutexModel: CheckerModel<MutexState> = {
  name: 'mutex',
  operations: LOCK_FUNCTIONS,
  init: () => null,
  step(state, f, input, output) {
    if (f === 'acquire') {
      if (output === undefined) return state;
      return state === null && typeof output === 'number' ? output : undefined;
    }
    if (f === 'release') {
      if (output === undefined) return state === input ? null : state;
      return state === input ? null : undefined;
    }
    return undefined;
  },
  malformed(f, input) {
    return f === 'release' && typeof input !== 'number' ? 'a release needs the token it releases as its value' : undefined;
  },
  isReadOnly: (f, _input, output) => f === 'acquire' && output === undefined,
  hash: (state) => String(state),
  describe: (state) => (state === null ? 'free' : `held under token ${state}`),
};
