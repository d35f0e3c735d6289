/**
 * Local refutation: prove that one operation can never be linearized by looking only at a
 * short window of the history before it, from every state the register could be in.
 * For a keyed model the window holds the operation's key only: the model promises that other
 * keys never affect it.
 *
 * Why: to show a long history is not linearizable, the global search must exhaust every
 * configuration before the failing operation, which grows with the concurrency of the whole
 * prefix. A failure is usually local. Take a time t0 before the suspect operation R. In any
 * linearization of the whole history, the operations placed after the last one that completed
 * before t0 are (1) in some reachable state at that point, (2) operations still running at t0,
 * which may or may not have taken effect already, and (3) operations invoked after t0, which
 * respect real time as usual. So if, from every reachable state, no order of the window's
 * operations (those running at t0 made optional, like timed-out ones) reaches R, the history has
 * no linearization at all. The window is a relaxation: it can only fail to refute, never refute
 * wrongly, and the global search stays the judge whenever it does not refute.
 */
import { compile, INF, keyOf, opView, StateSpace, type Compiled, type ComponentSpace, type OpLike } from './compile.js';
import type { CheckerModel } from './models.js';
import { WglSearch } from './search.js';

/** Window sizes tried, in operations invoked before the suspect's invocation. */
const WINDOWS = [1, 2, 4, 8, 16, 32, 64, 128, 256];
/** Windows and steps per op of a sweep over many ops. */
const SWEEP_WINDOWS = [1, 2, 4];
const SWEEP_STEPS = 2_000;
/** Most states a refutation will start from. */
const MAX_STATES = 256;

/** A successful local refutation. */
export interface Refutation {
  kind: 'window';
  /** The operation that cannot be linearized (id in the full problem). */
  target: number;
  /** The first operation (id) of the window; everything invoked from it on was considered. */
  from: number;
  /** Number of operations in the window. */
  size: number;
  /** Every state the window was started from (descriptions). */
  states: string[];
  /** Steps spent. */
  steps: number;
}

/** Most transitions computed to find the reachable states. */
const MAX_WORK = 100_000;

const closures = new WeakMap<object, number[] | null>();
const byCompletion = new WeakMap<object, number[]>();

/**
 * Every state reachable from the initial one by any sequence of the problem's operations,
 * ignoring real time; undefined when that set is large (more than `MAX_STATES`, or too much
 * work to find) or the space is keyed. Cached per problem.
 */
export function reachableStates<S>(p: Compiled<S>): number[] | undefined {
  const cached = closures.get(p);
  if (cached !== undefined) return cached ?? undefined;
  const result = closure(p);
  closures.set(p, result ?? null);
  return result;
}

function closure<S>(p: Compiled<S>): number[] | undefined {
  const space = p.space;
  if (!(space instanceof StateSpace)) return undefined;
  const seen = new Set([p.init]);
  const queue = [p.init];
  let work = 0;
  while (queue.length > 0) {
    const s = queue.pop()!;
    work += space.classes;
    if (work > MAX_WORK) return undefined;
    for (let c = 0; c < space.classes; c++) {
      const t = space.next(c, s);
      if (t >= 0 && !seen.has(t)) {
        if (seen.size >= MAX_STATES) return undefined;
        seen.add(t);
        queue.push(t);
      }
    }
  }
  return [...seen];
}

/**
 * The first op to complete that is allowed in no reachable state at all (a read of a value
 * nothing could have written), or -1. Such an op refutes the history on its own.
 */
export function impossibleOp<S>(p: Compiled<S>): number {
  const starts = reachableStates(p);
  if (!starts) return -1;
  let best = -1;
  for (let i = 0; i < p.n; i++) {
    if (p.ret[i] === INF || (best >= 0 && p.ret[i]! > p.ret[best]!)) continue;
    if (starts.every((s) => p.space.next(p.cls[i]!, s) < 0)) best = i;
  }
  return best;
}

/**
 * Try to prove that op `target` of `p` can never be linearized, spending at most `budget`
 * search steps in all. Returns undefined when no window refutes it.
 */
export function refuteLocally<S>(p: Compiled<S>, model: CheckerModel<S>, target: number, budget: number): Refutation | undefined {
  return tryWindows(p, model, target, budget, WINDOWS).refutation;
}

/**
 * Try small windows (up to 4 ops back) for every op that completes after op `from` (in
 * completion order), until one is refuted or `budget` steps are spent. Returns the refutation,
 * if any, and the op to resume from next time (-1 when the sweep reached the end).
 */
export function sweepRefute<S>(
  p: Compiled<S>,
  model: CheckerModel<S>,
  from: number,
  budget: number,
): { refutation?: Refutation; resume: number } {
  let order = byCompletion.get(p);
  if (!order) {
    order = Array.from({ length: p.n }, (_, i) => i)
      .filter((i) => p.ret[i] !== INF)
      .sort((a, b) => p.ret[a]! - p.ret[b]!);
    byCompletion.set(p, order);
  }
  let spent = 0;
  let k = 0;
  if (from >= 0) while (k < order.length && p.ret[order[k]!]! < p.ret[from]!) k++;
  for (; k < order.length; k++) {
    if (spent >= budget) return { resume: order[k]! };
    const r = tryWindows(p, model, order[k]!, Math.min(budget - spent, SWEEP_STEPS), SWEEP_WINDOWS);
    spent += r.steps + 1;
    if (r.refutation) return { refutation: r.refutation, resume: -1 };
  }
  return { resume: -1 };
}

function tryWindows<S>(
  p: Compiled<S>,
  model: CheckerModel<S>,
  target: number,
  budget: number,
  windows: readonly number[],
): { refutation?: Refutation; steps: number } {
  const none = { steps: 0 };
  if (p.ret[target] === INF) return none;
  const keyed = model.keyed === true;
  const reachable = keyed ? undefined : reachableStates(p);
  const fullSpace = p.space as StateSpace<S>;
  // Allowed in no reachable state at all (a value nothing could have written): no window needed.
  if (reachable?.every((s) => fullSpace.next(p.cls[target]!, s) < 0)) {
    const states = reachable.map((s) => fullSpace.describe(s));
    return { refutation: { kind: 'window', target, from: target, size: 1, states, steps: 0 }, steps: 0 };
  }
  // Start from the model's stand-in for every state, or from every reachable state.
  const hasAny = model.anyState !== undefined;
  const startValues = hasAny ? [] : reachable?.map((s) => fullSpace.states[s]!);
  if (!startValues) return none;
  const key = keyOf(p, target);
  const g = p.group[target]!;
  let steps = 0;
  for (const m of windows) {
    if (steps >= budget) break;
    const from = target - m;
    if (from <= 0) break;
    const t0 = p.call[from]!;
    const end = p.ret[target]!;
    const ops: OpLike[] = [];
    const skip: number[] = [];
    let local = -1;
    for (let i = 0; i < p.n && p.call[i]! < end; i++) {
      if ((p.ret[i]! <= t0 && p.ret[i] !== INF) || p.group[i] !== g) continue;
      if (i === target) local = ops.length;
      // Running at t0: it may have taken effect before the window, so it may be skipped here.
      skip.push(p.call[i]! < t0 ? 1 : 0);
      ops.push(opView(p, i));
    }
    // Building the window costs about as much as this many search steps.
    steps += (target + ops.length) >>> 2;
    const skippable = Uint8Array.from(skip);
    const w = compile(ops, model, { apart: skippable });
    const space = w.space as ComponentSpace;
    const starts = hasAny ? [space.any!()] : startValues.map((v) => (space as StateSpace<S>).intern(v));
    let refuted = true;
    for (const init of starts) {
      const search = new WglSearch(w, { target: local, init, skippable });
      const status = search.run(Math.max(1, budget - steps));
      steps += search.steps;
      if (status !== 'illegal') {
        refuted = false;
        break;
      }
    }
    if (refuted) return { refutation: { kind: 'window', target, from, size: ops.length, states: starts.map((s) => space.describe(s, key)), steps }, steps };
  }
  return { steps };
}
