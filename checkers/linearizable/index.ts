/**
 * The linearizability checker: does some order of the history's operations, consistent with
 * real time, satisfy the sequential model?
 *
 * Why this shape: keys are independent (P-compositionality), so by default each key is its own
 * small problem. entries.ts pairs the history (and refuses what the model cannot interpret),
 * values.ts refutes by reasoning about values, compile.ts turns a key into typed arrays,
 * search.ts and key-search.ts decide it, schedule.ts and parallel.ts share the time, the
 * memory and the cores among keys, and explain.ts turns a refutation into evidence.
 */
import { availableParallelism } from 'node:os';
import type { Anomaly, CheckOptions, CheckResult, Checker, Validity } from '../../src/api/checker.js';
import { mergeValidity } from '../../src/verdict.js';
import type { Model } from '../../src/api/model.js';
import type { Op } from '../../src/api/op.js';
import { defaultMemoryBudget, formatBytes } from './budget.js';
import { INF, type CompileOptions } from './compile.js';
import { collectOps, NEVER, NO_KEY, partitionByKey } from './entries.js';
import type { Explained } from './explain.js';
import { wallMs, type ModelSpec } from './job.js';
import type { CheckerSwitches } from './key-search.js';
import { MODELS, modelByName } from './kv-model.js';
import { perKeyProduct, type CheckerModel } from './models.js';
import type { SearchOptions } from './options.js';
import { decideAll, MAIN_THREAD_MS, type KeyTask, type ScheduleContext } from './schedule.js';

export { MODELS, kvModel, modelByName } from './kv-model.js';
export { casRegister, perKeyProduct } from './models.js';
export type { CheckerModel, ModelHints } from './models.js';
export type { CheckerSwitches } from './key-search.js';

/** Options of `linearizable`. */
export interface LinearizableOptions {
  /** A model, or a model's name (`cas-register`, `register`, `kv`). */
  model: Model<any> | string;
  /** Check each key on its own (default true); false checks all keys in one search. */
  partitionKeys?: boolean;
  /** Switch reductions off, or bound the search tables of each key. */
  search?: SearchOptions & CompileOptions & CheckerSwitches;
  /** Most threads for hard keys, this one included (default: one per core; 1: this one only). */
  threads?: number;
  /** Time on this thread before two or more hard keys spread over the cores (default 200 ms). */
  mainThreadMs?: number;
}

/** The outcome for one key (or for the whole history without decomposition). */
export interface KeyResult {
  valid: Validity;
  ops: number;
  explored: number;
  ms: number;
  /** Why the verdict is unknown, when it is. */
  reason?: string;
  /** Linearizable by a windowed search (segments.ts): the windows it took. */
  windows?: number;
}

/** A linearizability checker for `opts.model`. */
export function linearizable(opts: LinearizableOptions): Checker {
  const base = (typeof opts.model === 'string' ? modelByName(opts.model) : opts.model) as CheckerModel<unknown>;
  // A worker rebuilds the model from its name, so only named models go to workers.
  const name = typeof opts.model === 'string' ? opts.model : Object.keys(MODELS).find((k) => MODELS[k] === opts.model);
  const partition = opts.partitionKeys ?? true;
  const threads = opts.threads ?? availableParallelism();
  return {
    name: 'linearizable',
    check: (history, checkOpts) => checkHistory(history, base, name, partition, { threads, mainThreadMs: opts.mainThreadMs ?? MAIN_THREAD_MS }, opts.search ?? {}, checkOpts),
  };
}

async function checkHistory(
  history: readonly Op[],
  base: CheckerModel<unknown>,
  name: string | undefined,
  partition: boolean,
  cores: Pick<ScheduleContext, 'threads' | 'mainThreadMs'>,
  search: SearchOptions & CompileOptions & CheckerSwitches,
  opts: CheckOptions,
): Promise<CheckResult> {
  const started = wallMs();
  const collected = collectOps(history, base);
  let model = base;
  let spec: ModelSpec | undefined = name !== undefined ? { name, product: false } : undefined;
  let groups: Map<string, typeof collected.ops>;
  const keys = new Set(collected.ops.map((o) => o.key));
  if (partition) groups = partitionByKey(collected.ops);
  else {
    groups = new Map([[NO_KEY, collected.ops]]);
    if (!base.keyed && (keys.size > 1 || !keys.has(undefined))) {
      model = perKeyProduct(base) as CheckerModel<unknown>;
      if (spec) spec = { ...spec, product: true };
    }
  }
  const tasks: KeyTask[] = [...groups].map(([key, ops]) => ({ key, ops, explored: 0, ms: 0, refutedLocally: 0, refutedByValues: false }));
  const budget = opts.maxMemoryBytes ?? defaultMemoryBudget();
  const { stopped, threads } = await decideAll(tasks, {
    model,
    spec,
    search,
    deadline: opts.timeoutMs !== undefined ? started + opts.timeoutMs : Number.POSITIVE_INFINITY,
    started,
    ...(opts.signal && { signal: opts.signal }),
    budget,
    ...cores,
  });

  const details: Record<string, KeyResult> = {};
  for (const t of tasks) {
    const r: KeyResult = { valid: t.valid ?? 'unknown', ops: t.ops.length, explored: t.explored, ms: round(t.ms) };
    if (r.valid === 'unknown') r.reason = t.reason ?? stopped ?? 'search stopped';
    if (t.windows !== undefined && r.valid === true) r.windows = t.windows;
    details[t.key] = r;
  }
  const bad = tasks.find((t) => t.valid === false);
  const anomalies: Anomaly[] = [];
  if (bad?.evidence) {
    // Imported only for a history found not linearizable: most are linearizable.
    const { explain } = await import('./explain.js');
    anomalies.push(explain(explained(bad, model), model, bad.key, bad.evidence));
  }
  const valid = mergeValidity(Object.values(details).map((d) => d.valid));
  const nKeys = partition ? groups.size : keys.size;
  const result: CheckResult = {
    valid,
    summary: summarize(valid, collected, nKeys, partition, model.name, bad, tasks, budget),
    stats: {
      ops: collected.ops.length,
      keys: nKeys,
      explored: tasks.reduce((n, t) => n + t.explored, 0),
      ms: round(wallMs() - started),
      failedDropped: collected.failed,
      unknownReadsDropped: collected.unknownReads,
      ignored: collected.ignored,
      refutedLocally: tasks.reduce((n, t) => n + t.refutedLocally, 0),
      refutedByValues: tasks.filter((t) => t.refutedByValues).length,
      threads,
    },
    details,
  };
  if (anomalies.length > 0) result.anomalies = anomalies;
  return result;
}

/** What an explanation needs of a task (refuted by values, it may never have been compiled). */
function explained(t: KeyTask, model: CheckerModel<unknown>): Explained {
  const ids = new Map<string, number>();
  const n = t.ops.length;
  const group = new Int32Array(n);
  const call = new Int32Array(n);
  const ret = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const o = t.ops[i]!;
    if (model.keyed) {
      const k = o.key ?? '';
      if (!ids.has(k)) ids.set(k, ids.size);
      group[i] = ids.get(k)!;
    }
    call[i] = o.call;
    ret[i] = o.ret === NEVER ? INF : o.ret;
  }
  return { n, call, ret, group, ops: t.ops };
}

function summarize(
  valid: Validity,
  collected: { ops: readonly unknown[]; failed: number; unknownReads: number },
  keys: number,
  partition: boolean,
  modelName: string,
  bad: KeyTask | undefined,
  tasks: readonly KeyTask[],
  budget: number,
): string {
  const ops = collected.ops.length;
  const on = keys > 1 ? ` on ${keys} keys` : '';
  const scope = partition ? `${ops} operations${on}${keys > 1 ? ', each key on its own,' : ''}` : `${ops} operations${on} in one search`;
  const what = `Checked ${scope} against the ${modelName} model`;
  if (valid === true) {
    // Nothing left to order is still an answer, as in Knossos: say why.
    const idle = ops === 0 ? ` (nothing to order: ${collected.failed} failed operation${collected.failed === 1 ? '' : 's'} and ${collected.unknownReads} read${collected.unknownReads === 1 ? '' : 's'} of unknown outcome constrain nothing)` : '';
    return `${what}: linearizable${idle}.`;
  }
  const open = tasks.filter((t) => t.valid === 'unknown');
  if (valid === false) {
    const where = bad && bad.key !== NO_KEY ? ` (key ${bad.key}${open.length > 0 ? `; ${open.length} other key${open.length === 1 ? '' : 's'} left unchecked once it was found` : ''})` : '';
    return `${what}: not linearizable${where}.`;
  }
  const reasons = [...new Set(open.map((t) => t.reason ?? 'search stopped'))];
  const which = partition ? `${open.length} of ${tasks.length} key${tasks.length === 1 ? '' : 's'} undecided: ` : '';
  const shown = open.slice(0, 3).map((t) => (partition && tasks.length > 1 ? `key ${t.key}: ${t.reason ?? 'search stopped'}` : (t.reason ?? 'search stopped')));
  const more = open.length > 3 ? ` and ${open.length - 3} more` : '';
  const hint = reasons.some((r) => /memory|heap|tables/.test(r)) ? ` (memory budget ${formatBytes(budget)}; --max-memory raises it)` : '';
  return `${what}: unknown, ${which}${shown.join('; ')}${more}${hint}.`;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
