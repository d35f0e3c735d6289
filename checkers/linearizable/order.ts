/**
 * Which candidates a search node tries, and in what order.
 *
 * Why apart from the search: pruning (one candidate per class of interchangeable ops) decides
 * what is checked and must be sound; ordering only decides how soon a valid order is found. On
 * linearizable histories the order is most of the cost, so it gets its own place: earliest
 * deadline first, and when the frontier op is not allowed in the current state, first the
 * candidates after which it would be.
 */
import { INF, type Compiled } from './compile.js';

/**
 * Symmetry: keep, per class, only the candidate that completes first (ties: lowest id, as
 * candidates arrive in invocation order). Compacts `cands[cs..top)`; returns the new end.
 * `best` and `stamp` are scratch arrays indexed by class; `gen` must be fresh per call.
 */
export function keepFirstOfEachClass(
  cands: Int32Array,
  cs: number,
  top: number,
  cls: Int32Array,
  ret: Int32Array,
  best: Int32Array,
  stamp: Int32Array,
  gen: number,
): number {
  for (let i = cs; i < top; i++) {
    const y = cands[i]!;
    const c = cls[y]!;
    if (stamp[c] !== gen || ret[y]! < ret[best[c]!]!) {
      stamp[c] = gen;
      best[c] = y;
    }
  }
  let w = cs;
  for (let i = cs; i < top; i++) {
    const y = cands[i]!;
    if (best[cls[y]!] === y) cands[w++] = y;
  }
  return w;
}

/**
 * Frontier order, `cands[cs..top)` in place: earliest completion first (unknown outcomes last); then,
 * when frontier op `f` is not allowed in state `s`, the candidates that would allow it move to
 * the front, and after them those that lead toward a state that allows it (`Space.toward`: an
 * append that continues the value a pending get returned); within each part, unknown outcomes
 * stay at its end (they stay available later, so spending them early is the worse bet).
 */
export function orderByFrontier<S>(cands: Int32Array, cs: number, top: number, p: Compiled<S>, f: number, s: number): void {
  const { ret, cls, space } = p;
  for (let i = cs + 1; i < top; i++) {
    const y = cands[i]!;
    const ry = ret[y]!;
    let j = i - 1;
    while (j >= cs && ret[cands[j]!]! > ry) {
      cands[j + 1] = cands[j]!;
      j--;
    }
    cands[j + 1] = y;
  }
  const cf = cls[f]!;
  if (space.next(cf, s) >= 0) return;
  let finite = cs;
  while (finite < top && ret[cands[finite]!] !== INF) finite++;
  let w = promote(cands, cs, finite, p, s, cf, false);
  if (space.toward) promote(cands, w, finite, p, s, cf, true);
  w = promote(cands, finite, top, p, s, cf, false);
  if (space.toward) promote(cands, w, top, p, s, cf, true);
}

/**
 * Move the candidates in `cands[from..end)` whose next state allows class `cf` (or, with
 * `toward`, leads toward a state that does) to `from`, keeping their order; returns the end of
 * the moved ones.
 */
function promote<S>(cands: Int32Array, from: number, end: number, p: Compiled<S>, s: number, cf: number, toward: boolean): number {
  const { cls, space } = p;
  let w = from;
  for (let i = from; i < end; i++) {
    const y = cands[i]!;
    const t = space.next(cls[y]!, s);
    if (t < 0 || !(toward ? space.toward!(t, cf) : space.next(cf, t) >= 0)) continue;
    for (let j = i; j > w; j--) cands[j] = cands[j - 1]!;
    cands[w++] = y;
  }
  return w;
}

/**
 * Urgency order: earliest deadline first, where a completed candidate's deadline is the earlier
 * of its own completion and that of the earliest pending read (`pend[0..npend)`, not allowed
 * now) it would allow. Candidates of unknown outcome come last, in invocation order (they stay
 * available, so spending one early is the worse bet). `urg` is scratch indexed by op id.
 */
export function orderByUrgency<S>(
  cands: Int32Array,
  cs: number,
  top: number,
  p: Compiled<S>,
  s: number,
  pend: Int32Array,
  npend: number,
  urg: Int32Array,
): void {
  const { ret, cls, space } = p;
  for (let i = cs; i < top; i++) {
    const y = cands[i]!;
    let u = ret[y]!;
    if (npend > 0 && u !== INF) {
      const t = space.next(cls[y]!, s);
      if (t >= 0) {
        for (let k = 0; k < npend; k++) {
          const r = pend[k]!;
          if (ret[r]! < u && space.next(cls[r]!, t) >= 0) u = ret[r]!;
        }
      }
    }
    urg[y] = u;
  }
  for (let i = cs + 1; i < top; i++) {
    const y = cands[i]!;
    const uy = urg[y]!;
    let j = i - 1;
    while (j >= cs && urg[cands[j]!]! > uy) {
      cands[j + 1] = cands[j]!;
      j--;
    }
    cands[j + 1] = y;
  }
}
