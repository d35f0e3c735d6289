/**
 * Plays a fault schedule against the cluster: each entry is invoked at its time and recorded
 * in the history as a nemesis operation (invoke with what was asked, then info with what was
 * done: each nemesis's completion value names the nodes it actually hit). At the end of the
 * main phase every nemesis heals, whatever the schedule says.
 */
import type { FaultOp, Nemesis, NemesisContext, ScheduleEntry } from '../api/nemesis.js';
import type { Journal } from '../history/journal.js';
import { abortableSleep } from '../abortable-sleep.js';

export interface ActiveNemesis {
  name: string;
  nemesis: Nemesis;
}

/** Route an operation to the nemesis that handles its `f`. */
function route(nemeses: readonly ActiveNemesis[], f: string): Nemesis {
  const found = nemeses.find((n) => n.nemesis.fs.includes(f));
  if (!found) throw new Error(`no nemesis handles ${f}`);
  return found.nemesis;
}

/** Invoke one fault operation and record it; a failure is recorded, never thrown. */
export async function performFault(
  nemeses: readonly ActiveNemesis[],
  op: FaultOp,
  ctx: NemesisContext,
  journal: Journal,
): Promise<void> {
  journal.record({ type: 'invoke', process: 'nemesis', f: op.f, value: op.value ?? null });
  try {
    const value = await route(nemeses, op.f).invoke(op, ctx);
    journal.record({ type: 'info', process: 'nemesis', f: op.f, value: value ?? null });
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    journal.record({ type: 'info', process: 'nemesis', f: op.f, value: op.value ?? null, error });
  }
}

/**
 * Play `schedule` (sorted by time): each entry at its `atMs` on `nowMs`, the clock the history
 * is timed by (milliseconds since the workload's start), so an entry's planned time and its
 * recorded time share one time base.
 */
export async function playSchedule(
  nemeses: readonly ActiveNemesis[],
  schedule: readonly ScheduleEntry[],
  ctx: NemesisContext,
  journal: Journal,
  nowMs: () => number,
): Promise<void> {
  for (const entry of schedule) {
    // Timers may fire a fraction of a millisecond early: never play an entry before its time.
    while (!ctx.signal.aborted && nowMs() < entry.atMs) await abortableSleep(Math.max(1, entry.atMs - nowMs()), ctx.signal);
    if (ctx.signal.aborted) return;
    await performFault(nemeses, { f: entry.f, value: entry.value }, ctx, journal);
    // A fault can complete in microtasks alone (a signal sent); overdue entries played back to
    // back would then starve every timer, the end of the run's time limit included.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Heal every nemesis and record it as one `heal` operation. */
export async function healAll(nemeses: readonly ActiveNemesis[], ctx: NemesisContext, journal: Journal): Promise<void> {
  if (nemeses.length === 0) return;
  journal.record({ type: 'invoke', process: 'nemesis', f: 'heal', value: null });
  const errors: string[] = [];
  for (const { name, nemesis } of nemeses) {
    try {
      await nemesis.heal(ctx);
    } catch (err) {
      errors.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  journal.record({
    type: 'info',
    process: 'nemesis',
    f: 'heal',
    value: nemeses.map((n) => n.name),
    ...(errors.length > 0 && { error: errors.join('; ') }),
  });
}
