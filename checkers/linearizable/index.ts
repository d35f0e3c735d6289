/**
 * The linearizability checker: does some order of the history's operations, consistent with
 * real time, satisfy the sequential model?
 *
 * Why this shape: keys are independent (P-compositionality), so by default each key is its own
 * small search (entries.ts pairs the history, compile.ts turns a key into typed arrays,
 * search.ts decides it). The search is synchronous, so it runs in slices between which the
 * checker watches the deadline and the abort signal and lets the event loop breathe; when it
 * runs long, refute.ts tries to prove the operation it is stuck on impossible from a short
 * window, and explain.ts turns either kind of failure into evidence.
 */
import type { Anomaly, CheckOptions, CheckResult, Checker, Validity } from '../../src/api/checker.js';
import { mergeValidity } from '../merge-validity.js';
import type { Model } from '../../src/api/model.js';
import type { Op } from '../../src/api/op.js';
import { compile, type CompileOptions } from './compile.js';
import { collectOps, NO_KEY, partitionByKey, type LinOp } from './entries.js';
import { explainFailure, explainRefutation } from './explain.js';
import { modelByName, perKeyProduct, type CheckerModel } from './models.js';
import { impossibleOp, refuteLocally, sweepRefute, type Refutation } from './refute.js';
import { WglSearch, type SearchOptions } from './search.js';

export { MODELS, casRegister, kvModel, modelByName, perKeyProduct } from './models.js';
export type { CheckerModel, ModelHints } from './models.js';

/** Options of `linearizable`. */
export interface LinearizableOptions {
  /** A model, or a model's name (`cas-register`, `register`, `kv`). */
  model: Model<any> | string;
  /** Check each key on its own (default true); false checks all keys in one search. */
  partitionKeys?: boolean;
  /** Switch reductions off, or bound the memo table (default 1.5 GiB per key). */
  search?: SearchOptions & CompileOptions & CheckerSwitches;
}

/** Checker-level switches (all on by default). */
export interface CheckerSwitches {
  /** Try to prove a stuck search's blocking op impossible from a short window. */
  localRefutation?: boolean;
  /** Run a second search with the urgency order beside the first. */
  portfolio?: boolean;
}

/** Default bound of the memo tables of one key. */
const MEMO_BYTES = 1.5 * 2 ** 30;
/** Steps between looks at the clock and the signal. */
const SLICE = 4096;
/** Global search steps before the first local refutation attempt (then 4x, 16x, ...). */
const REFUTE_AFTER = 1 << 15;
/** Least steps a local refutation attempt may spend (otherwise a quarter of the search's). */
const REFUTE_MIN_BUDGET = 8_192;
/** Milliseconds of work between yields to the event loop. */
const YIELD_MS = 50;

/** The outcome for one key (or for the whole history without decomposition). */
export interface KeyResult {
  valid: Validity;
  ops: number;
  explored: number;
  ms: number;
  /** Why the verdict is unknown, when it is. */
  reason?: string;
}

/** A linearizability checker for `opts.model`. */
export function linearizable(opts: LinearizableOptions): Checker {
  const base = (typeof opts.model === 'string' ? modelByName(opts.model) : opts.model) as CheckerModel<unknown>;
  const partition = opts.partitionKeys ?? true;
  return {
    name: 'linearizable',
    check: (history, checkOpts) => checkHistory(history, base, partition, opts.search ?? {}, checkOpts),
  };
}

async function checkHistory(
  history: readonly Op[],
  base: CheckerModel<unknown>,
  partition: boolean,
  searchOpts: SearchOptions & CompileOptions & CheckerSwitches,
  opts: CheckOptions,
): Promise<CheckResult> {
  const t0 = performance.now();
  const deadline = opts.timeoutMs !== undefined ? t0 + opts.timeoutMs : Number.POSITIVE_INFINITY;
  const collected = collectOps(history, base);
  let groups: Map<string, LinOp[]>;
  let model = base;
  if (partition) groups = partitionByKey(collected.ops);
  else {
    groups = new Map([[NO_KEY, collected.ops]]);
    const keys = new Set(collected.ops.map((o) => o.key));
    if (!base.keyed && (keys.size > 1 || !keys.has(undefined))) model = perKeyProduct(base) as CheckerModel<unknown>;
  }

  const details: Record<string, KeyResult> = {};
  let anomaly: Anomaly | undefined;
  let firstBad: string | undefined;
  let stopReason: string | undefined;
  let explored = 0;
  let refuted = 0;
  let lastYield = performance.now();
  for (const [key, ops] of groups) {
    const k0 = performance.now();
    // Between keys too: many small keys, each done in one slice, must not outlast the deadline.
    if (!stopReason && k0 >= deadline) stopReason = `timed out after ${Math.round(k0 - t0)} ms`;
    if (!stopReason && opts.signal?.aborted) stopReason = 'aborted';
    if (stopReason) {
      details[key] = { valid: 'unknown', ops: ops.length, explored: 0, ms: 0, reason: stopReason };
      continue;
    }
    const problem = compile(ops, model, searchOpts);
    // Two complete searches that differ only in the order they try candidates run side by
    // side once the first takes more than one slice: either one's verdict is the answer.
    const portfolio = searchOpts.portfolio !== false && searchOpts.frontierFirst !== false;
    const memoBound = (searchOpts.maxMemoBytes ?? MEMO_BYTES) / (portfolio ? 2 : 1);
    const searches = [new WglSearch(problem, { ...searchOpts, maxMemoBytes: memoBound })];
    let search = searches[0]!;
    let nextRefute = REFUTE_AFTER;
    let sweepFrom = 0;
    let refutation: Refutation | undefined;
    let status = search.run(SLICE);
    while (status === 'running') {
      if (portfolio && searches.length === 1) searches.push(new WglSearch(problem, { ...searchOpts, maxMemoBytes: memoBound, urgency: true }));
      for (const s of searches) {
        status = s.run(SLICE);
        search = s;
        if (status !== 'running') break;
      }
      if (status !== 'running') break;
      const steps = searches.reduce((n, s) => n + s.steps, 0);
      if (steps >= nextRefute && searchOpts.localRefutation !== false) {
        // The global search is taking long: try to prove the op it is stuck on impossible.
        nextRefute *= 4;
        const impossible = impossibleOp(problem);
        const budget = Math.max(REFUTE_MIN_BUDGET, steps >>> 2);
        refutation = refuteLocally(problem, model, impossible >= 0 ? impossible : searches[0]!.deepest.blocked, budget);
        if (!refutation && sweepFrom >= 0 && steps >= 4 * REFUTE_AFTER) {
          // Still stuck: look for a short refutable window anywhere past the deepest point.
          if (sweepFrom === 0) sweepFrom = searches[0]!.deepest.blocked;
          const sweep = sweepRefute(problem, model, sweepFrom, budget);
          refutation = sweep.refutation;
          sweepFrom = sweep.resume;
        }
        if (refutation) {
          status = 'illegal';
          refuted++;
          break;
        }
      }
      const now = performance.now();
      if (now >= deadline) {
        stopReason = `timed out after ${Math.round(now - t0)} ms`;
        break;
      }
      if (opts.signal?.aborted) {
        stopReason = 'aborted';
        break;
      }
      if (now - lastYield > YIELD_MS) {
        await new Promise<void>((r) => setImmediate(r));
        lastYield = performance.now();
        if (opts.signal?.aborted) {
          stopReason = 'aborted';
          break;
        }
      }
    }
    if (status === 'memory') stopReason = `the memo table passed ${Math.round((searchOpts.maxMemoBytes ?? MEMO_BYTES) / 2 ** 20)} MiB`;
    const keyExplored = searches.reduce((n, s) => n + s.explored, 0);
    explored += keyExplored;
    const valid: Validity = status === 'linearizable' ? true : status === 'illegal' ? false : 'unknown';
    const r: KeyResult = { valid, ops: ops.length, explored: keyExplored, ms: round(performance.now() - k0) };
    if (valid === 'unknown' && stopReason) r.reason = stopReason;
    details[key] = r;
    if (valid === false && firstBad === undefined) {
      firstBad = key;
      anomaly = refutation ? explainRefutation(problem, key, refutation) : explainFailure(problem, model, key, search.deepest);
    }
    if (performance.now() - lastYield > YIELD_MS) {
      await new Promise<void>((res) => setImmediate(res));
      lastYield = performance.now();
    }
  }

  const valid = mergeValidity(Object.values(details).map((d) => d.valid));
  const nKeys = partition ? groups.size : new Set(collected.ops.map((o) => o.key)).size;
  const ms = round(performance.now() - t0);
  const result: CheckResult = {
    valid,
    summary: summarize(valid, collected.ops.length, nKeys, partition, model.name, firstBad, stopReason, details),
    stats: {
      ops: collected.ops.length,
      keys: nKeys,
      explored,
      ms,
      failedDropped: collected.failed,
      unknownReadsDropped: collected.unknownReads,
      ignored: collected.ignored,
      refutedLocally: refuted,
    },
    details,
  };
  if (anomaly) result.anomalies = [anomaly];
  return result;
}

function summarize(
  valid: Validity,
  ops: number,
  keys: number,
  partition: boolean,
  modelName: string,
  firstBad: string | undefined,
  stopReason: string | undefined,
  details: Record<string, KeyResult>,
): string {
  const on = keys > 1 ? ` on ${keys} keys` : '';
  const scope = partition ? `${ops} operations${on}${keys > 1 ? ', each key on its own,' : ''}` : `${ops} operations${on} in one search`;
  const what = `Checked ${scope} against the ${modelName} model`;
  if (valid === true) return `${what}: linearizable.`;
  if (valid === false) {
    const bad = Object.values(details).filter((d) => d.valid === false).length;
    const where = firstBad === NO_KEY ? '' : ` (${bad} of ${keys} key${keys === 1 ? '' : 's'} fail; first: key ${firstBad})`;
    return `${what}: not linearizable${where}.`;
  }
  const unknown = Object.values(details).filter((d) => d.valid === 'unknown').length;
  return `${what}: unknown, ${stopReason ?? 'search stopped'}; ${unknown} key${unknown === 1 ? '' : 's'} left undecided.`;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
