/**
 * Operations in the order they completed, for sweeps over real time (values.ts,
 * reset-constraints.ts).
 *
 * Why packed keys: a sort with a comparator calls back into JavaScript for every comparison,
 * which on the small histories most checks see costs more than the rest of the sweep. Packing
 * (completion position, op id) into one double and sorting a typed array natively gives the
 * same order, exactly, while every packed key stays below 2^53; past that, the comparator.
 */
import { INF } from './compile.js';

/** The ops with a completion (`ret[i] !== INF`), ascending by completion position. */
export function byCompletion(ret: Int32Array): Int32Array {
  const n = ret.length;
  let finite = 0;
  let first = 0;
  let last = 0;
  for (let i = 0; i < n; i++) {
    if (ret[i] === INF) continue;
    finite++;
    first = Math.min(first, ret[i]!);
    last = Math.max(last, ret[i]!);
  }
  const out = new Int32Array(finite);
  if (first < 0 || (last + 1) * n >= Number.MAX_SAFE_INTEGER) {
    let k = 0;
    for (let i = 0; i < n; i++) if (ret[i] !== INF) out[k++] = i;
    return out.sort((a, b) => ret[a]! - ret[b]!);
  }
  const keys = new Float64Array(finite);
  let k = 0;
  for (let i = 0; i < n; i++) if (ret[i] !== INF) keys[k++] = ret[i]! * n + i;
  keys.sort();
  for (let j = 0; j < finite; j++) out[j] = keys[j]! % n;
  return out;
}
