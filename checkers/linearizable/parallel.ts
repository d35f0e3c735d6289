/**
 * Hard keys on every core: this thread and worker threads each decide one key at a time, each
 * with a fair share of the time left and of the memory budget, until one key is refuted (then
 * the rest are cancelled) or all are decided.
 *
 * Why these shares: a key that starts while others wait gets the time left divided by the
 * number of keys still to run, per core, so no key can starve the others; once nothing waits,
 * running keys may use all the time left. A key whose share ran out while others waited gets a
 * second turn at the end, if time remains.
 *
 * Why this thread takes part: it would otherwise only wait, and the key it already searched
 * longest goes on here without starting over, so a machine with two cores starts one worker.
 */
import { formatBytes, heapTooFull, MIN_SHARE_BYTES } from './budget.js';
import { problemData } from './compile.js';
import { wallMs, type JobRequest, type JobResult, type JobStatus } from './job.js';
import { KeySearch } from './key-search.js';
import type { WorkerPool } from './pool.js';
import { interrupted, problemOf, type KeyTask, type ScheduleContext } from './schedule.js';

interface Turn {
  task: KeyTask;
  /** 1 for a first turn, 2 for the second chance of a key whose share ran out. */
  turn: number;
}

/** A turn in progress, on this thread or in a worker. */
interface Running extends Turn {
  started: number;
  deadline: number;
}

/** Steps this thread runs between looks at the clock and the event loop. */
const LOCAL_CHUNK = 1 << 13;
/** Milliseconds of work on this thread between yields to the event loop (worker answers). */
const YIELD_MS = 20;

let nextJobId = 1;

/**
 * Decide `tasks` (at least two) on this thread and `ctx.threads - 1` workers; returns the first
 * task found not linearizable, if any. The task searched longest continues here.
 */
export async function decideInParallel(tasks: KeyTask[], ctx: ScheduleContext): Promise<KeyTask | undefined> {
  const first = tasks.reduce((a, b) => ((b.search?.steps ?? 0) > (a.search?.steps ?? 0) ? b : a));
  for (const t of tasks) if (t !== first) t.search = undefined;
  const queue: Turn[] = [first, ...tasks.filter((t) => t !== first)].map((task) => ({ task, turn: 1 }));
  const slots = Math.max(1, Math.min(ctx.threads, tasks.length, Math.floor(ctx.budget / MIN_SHARE_BYTES)));
  const share = Math.floor(ctx.budget / slots);
  const maxBytes = Math.min(ctx.search.maxBytes ?? Number.POSITIVE_INFINITY, share * 0.9);
  // The pool (and worker_threads) is imported only when there are workers to start.
  const pool: WorkerPool | undefined = slots > 1 ? new (await import('./pool.js')).WorkerPool(slots - 1, Math.max(64, Math.floor(share / 2 ** 20))) : undefined;
  ctx.threadsUsed = slots;
  const running = new Map<number, Running>();
  let bad: KeyTask | undefined;
  let wake: (() => void) | undefined;
  const stop = (): boolean => bad !== undefined || interrupted(ctx) !== undefined;

  /** The deadline of a turn starting now: its fair share of the time left. */
  const shareOfTime = (): number => {
    const now = wallMs();
    if (!Number.isFinite(ctx.deadline)) return Number.POSITIVE_INFINITY;
    return Math.min(ctx.deadline, now + ((ctx.deadline - now) * slots) / Math.max(slots, queue.length + running.size + 1));
  };

  /** Record how a turn ended; a share that ran out while others waited earns a second turn. */
  const ended = (id: number, status: JobStatus, reason: string | undefined): void => {
    const r = running.get(id);
    if (!r) return;
    running.delete(id);
    const t = r.task;
    t.ms += wallMs() - r.started;
    if (status === 'cancelled' || t.valid !== undefined || stop()) return;
    if (status === 'linearizable' || status === 'illegal') {
      t.valid = status === 'linearizable';
      if (!t.valid) bad = t;
      return;
    }
    const over = wallMs() >= ctx.deadline;
    if (status === 'timeout' && !over && r.turn === 1) {
      queue.push({ task: t, turn: 2 });
      return;
    }
    t.valid = 'unknown';
    if (status === 'timeout') t.reason = over ? interrupted(ctx) : `its share of the time ran out twice (last ${Math.round((r.deadline - r.started) / 1000)} s)`;
    else t.reason = reason ?? `it needed more than its ${formatBytes(share)} share of memory`;
  };

  const onWorker = (r: JobResult): void => {
    const t = running.get(r.id)?.task;
    if (t) {
      t.explored += r.explored;
      t.refutedLocally += r.refuted;
      if (r.windows) t.windows = r.windows;
      if (r.evidence) t.evidence = r.evidence;
    }
    ended(r.id, r.status, r.reason);
    feedWorkers();
    wake?.();
  };

  const feedWorkers = (): void => {
    if (!pool) return;
    if (stop()) {
      for (const id of running.keys()) pool.cancel(id);
      return;
    }
    while (pool.idle > 0 && queue.length > 0) {
      const turn = queue.shift()!;
      const deadline = shareOfTime();
      const req: JobRequest = { id: nextJobId++, data: problemData(problemOf(turn.task, ctx)), model: ctx.spec!, opts: { ...ctx.search, maxBytes } };
      running.set(req.id, { ...turn, started: wallMs(), deadline });
      void pool.run(req, deadline).then(onWorker);
    }
    // Nothing waits any more: the running keys may use all the time left.
    if (queue.length === 0) for (const [id, r] of running) if (r.deadline < ctx.deadline) pool.extend(id, (r.deadline = ctx.deadline));
  };

  /** This thread's slot: one turn after another, yielding often so worker answers get in. */
  const runHere = async (): Promise<void> => {
    let lastYield = wallMs();
    while (!stop()) {
      const turn = queue.shift();
      if (!turn) {
        if (running.size === 0) return;
        await new Promise<void>((r) => (wake = r));
        continue;
      }
      const id = nextJobId++;
      const t = turn.task;
      running.set(id, { ...turn, started: wallMs(), deadline: shareOfTime() });
      feedWorkers();
      const s = t.search ?? new KeySearch(problemOf(t, ctx), ctx.model, { ...ctx.search, maxBytes });
      s.maxBytes = maxBytes;
      t.search = s;
      let status: JobStatus | undefined;
      while (status === undefined) {
        const st = s.run(LOCAL_CHUNK);
        const full = heapTooFull();
        if (st !== 'running') status = st;
        else if (full) status = s.giveUp(full);
        else if (stop()) status = 'cancelled';
        else if (wallMs() >= running.get(id)!.deadline) status = 'timeout';
        else if (wallMs() - lastYield > YIELD_MS) {
          await new Promise<void>((r) => setImmediate(r));
          lastYield = wallMs();
        }
      }
      t.explored += s.explored;
      t.refutedLocally += s.refuted;
      if (s.windows > 0) t.windows = s.windows;
      if (s.evidence) t.evidence = s.evidence;
      t.search = undefined;
      ended(id, status, s.reason);
      feedWorkers();
    }
  };

  const onAbort = (): void => {
    feedWorkers();
    wake?.();
  };
  ctx.signal?.addEventListener('abort', onAbort);
  try {
    await runHere();
    return bad;
  } finally {
    ctx.signal?.removeEventListener('abort', onAbort);
    await pool?.close();
  }
}
