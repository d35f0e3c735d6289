/** Merging verdicts of several checks (keys, checkers) into one. */
import type { Validity } from '../src/api/checker.js';

/** Jepsen's priority merge: any false wins, then unknown, else true. */
export function mergeValidity(values: Iterable<Validity>): Validity {
  let result: Validity = true;
  for (const v of values) {
    if (v === false) return false;
    if (v === 'unknown') result = 'unknown';
  }
  return result;
}
