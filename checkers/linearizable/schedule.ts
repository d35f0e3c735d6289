/**
 * Deciding many keys fairly, and stopping at the first that is not linearizable.
 *
 * Why in phases: most keys of a real history are small, and the few hard ones must not hold up
 * the rest, nor keep a plainly broken key from being found.
 * 1. Every key gets search steps on this thread in rounds of growing budgets, so an easy key
 *    is decided at once and a hard one only waits its turn. Before its first steps, a key is
 *    tried by reasoning about values (values.ts): cheap, and decisive on many broken keys
 *    however hard their search would be. No worker is started for a history this settles, so
 *    small histories never pay for threads.
 * 2. When two or more keys are still open after a fifth of a second, they spread over every
 *    core (parallel.ts: this thread and worker threads), each with a fair share of the time
 *    left and of the memory budget. A single hard key, or any key without workers (one core,
 *    or a model given as code), goes on here in rounds with the same shares.
 * A refuted key ends the check: every other key still open is cancelled and says why.
 */
import { heapTooFull, MIN_SHARE_BYTES } from './budget.js';
import { compile, type Compiled, type CompileOptions } from './compile.js';
import type { LinOp } from './entries.js';
import type { Evidence } from './evidence.js';
import { wallMs, type ModelSpec } from './job.js';
import { KeySearch, type CheckerSwitches } from './key-search.js';
import type { CheckerModel } from './models.js';
import type { SearchOptions } from './options.js';
import { decideInParallel } from './parallel.js';
import { refuteByValues } from './values.js';

/** One key to decide (or the whole history, without decomposition), and what is known of it. */
export interface KeyTask {
  key: string;
  ops: LinOp[];
  p?: Compiled<unknown>;
  search?: KeySearch;
  /** Undefined while the key is open. */
  valid?: true | false | 'unknown';
  evidence?: Evidence;
  reason?: string;
  explored: number;
  ms: number;
  refutedLocally: number;
  refutedByValues: boolean;
  /** Windows of the windowed search that found its order (0: searched whole, or not decided so). */
  windows?: number;
}

/** What the scheduler needs besides the tasks. */
export interface ScheduleContext {
  model: CheckerModel<unknown>;
  /** How a worker rebuilds the model; undefined when it cannot (no workers then). */
  spec: ModelSpec | undefined;
  search: SearchOptions & CompileOptions & CheckerSwitches;
  /** When to give up, in `wallMs` time (infinite: never). */
  deadline: number;
  started: number;
  signal?: AbortSignal;
  /** Memory the check may use, in bytes. */
  budget: number;
  /** Most threads to decide hard keys on, this one included (1: this one only). */
  threads: number;
  /** Time on this thread before two or more hard keys spread over the cores. */
  mainThreadMs: number;
  /** Set by the scheduler: how many threads took part. */
  threadsUsed?: number;
}

/** Cumulative search steps per key after each round on this thread. */
const ROUNDS = [1 << 12, 1 << 14, 1 << 16, 1 << 18];
/** Without workers, later rounds give each key this many more steps each time. */
const LATE_ROUND = 1 << 18;
/** Default time on this thread before open keys spread over the cores. */
export const MAIN_THREAD_MS = 200;
/** Milliseconds of work between yields to the event loop. */
const YIELD_MS = 50;

/** How a schedule went: why it stopped early (if it did), and on how many threads. */
export interface Schedule {
  stopped?: string;
  threads: number;
}

/** Decide `tasks` in place. */
export async function decideAll(tasks: KeyTask[], ctx: ScheduleContext): Promise<Schedule> {
  const stopped = await decide(tasks, ctx);
  return { ...(stopped !== undefined && { stopped }), threads: ctx.threadsUsed ?? 1 };
}

/** Decide `tasks` in place; returns why the check stopped early, if it did. */
async function decide(tasks: KeyTask[], ctx: ScheduleContext): Promise<string | undefined> {
  const stopAt = (bad: KeyTask): string => {
    cancelOpen(tasks, `not checked: key ${bad.key} was found not linearizable first`);
    return `stopped at the first key found not linearizable`;
  };
  const open = (): KeyTask[] => tasks.filter((t) => t.valid === undefined);
  const phase1 = wallMs();
  const workers = ctx.threads > 1 && ctx.spec !== undefined;
  // After the first round (which always finishes), two or more hard keys spread over the cores
  // once it is time; a single one goes on here, where its search already is.
  const handOver = (round: number): boolean => workers && round >= 2 && wallMs() - phase1 >= ctx.mainThreadMs && open().length >= 2;
  let lastYield = wallMs();
  let round = 0;
  rounds: for (;;) {
    const budget = round < ROUNDS.length ? ROUNDS[round]! : ROUNDS[ROUNDS.length - 1]! + (round - ROUNDS.length + 1) * LATE_ROUND;
    round++;
    const live = open();
    if (live.length === 0) return undefined;
    const share = Math.min(ctx.search.maxBytes ?? Number.POSITIVE_INFINITY, Math.max(MIN_SHARE_BYTES, ctx.budget / live.length));
    for (const t of live) {
      if (handOver(round)) break rounds;
      const why = interrupted(ctx);
      if (why) {
        cancelOpen(tasks, why);
        return why;
      }
      if (round === 1 && ctx.search.valueRefutation !== false && ctx.model.values && refuteTaskByValues(t, ctx.model)) return stopAt(t);
      if (!t.search) start(t, ctx);
      const s = t.search!;
      s.maxBytes = share;
      const k0 = wallMs();
      while (s.result === 'running' && s.steps < budget && !handOver(round)) {
        s.run(Math.min(budget - s.steps, 1 << 14));
        const full = heapTooFull();
        if (full) s.giveUp(full);
        if (wallMs() - lastYield > YIELD_MS) {
          await new Promise<void>((r) => setImmediate(r));
          lastYield = wallMs();
          if (interrupted(ctx)) break;
        }
      }
      t.ms += wallMs() - k0;
      settle(t);
      if (t.valid === false) return stopAt(t);
    }
  }
  const bad = await decideInParallel(open(), ctx);
  if (bad) return stopAt(bad);
  const why = interrupted(ctx);
  if (why) cancelOpen(tasks, why);
  return why;
}

/** Why the check must stop now (deadline, signal), or undefined. */
export function interrupted(ctx: ScheduleContext): string | undefined {
  if (ctx.signal?.aborted) return 'aborted';
  const now = wallMs();
  if (now >= ctx.deadline) return `timed out after ${Math.round(now - ctx.started)} ms`;
  return undefined;
}

/** Mark every open task unknown, for `reason`. */
export function cancelOpen(tasks: readonly KeyTask[], reason: string): void {
  for (const t of tasks) {
    if (t.valid !== undefined) continue;
    t.valid = 'unknown';
    t.reason = reason;
    t.search = undefined;
  }
}

/** The task's compiled problem (compiled once, here, for this thread and for workers). */
export function problemOf(t: KeyTask, ctx: ScheduleContext): Compiled<unknown> {
  if (!t.p) t.p = compile(t.ops, ctx.model, ctx.search);
  return t.p;
}

function start(t: KeyTask, ctx: ScheduleContext): void {
  t.search = new KeySearch(problemOf(t, ctx), ctx.model, { ...ctx.search, maxBytes: Math.min(ctx.search.maxBytes ?? Number.POSITIVE_INFINITY, ctx.budget) });
}

/** Record a finished search's verdict on its task. */
function settle(t: KeyTask): void {
  const s = t.search!;
  t.explored = s.explored;
  t.refutedLocally = s.refuted;
  if (s.windows > 0) t.windows = s.windows;
  if (s.result === 'running') return;
  t.valid = s.result === 'linearizable' ? true : s.result === 'illegal' ? false : 'unknown';
  if (s.result === 'illegal') t.evidence = s.evidence;
  if (s.result === 'memory') t.reason = s.reason;
  t.search = undefined;
}

/**
 * Try the value refutations on a task: one key, or every key of a one-search task (a keyed
 * model promises keys are independent, so one key's contradiction refutes the whole).
 */
function refuteTaskByValues(t: KeyTask, model: CheckerModel<unknown>): boolean {
  const t0 = wallMs();
  const byKey = new Map<string | undefined, number[]>();
  t.ops.forEach((op, i) => {
    const k = model.keyed ? op.key : undefined;
    let ids = byKey.get(k);
    if (!ids) byKey.set(k, (ids = []));
    ids.push(i);
  });
  for (const ids of byKey.values()) {
    const r = refuteByValues(
      ids.map((i) => t.ops[i]!),
      model.values!,
    );
    if (!r) continue;
    const id = (j: number): number => (j < 0 ? j : ids[j]!);
    t.valid = false;
    t.refutedByValues = true;
    t.evidence = { ...r, target: id(r.target), witness: id(r.witness), chain: r.chain.map(id), setters: r.setters.map(id) };
    break;
  }
  t.ms += wallMs() - t0;
  return t.valid === false;
}
