/**
 * Fault schedules as fast-check values, so a schedule can be generated from a seed
 * (`--nemesis random`) and shrunk (`faultline shrink`) by fast-check's own machinery.
 *
 * A schedule is held as a *plan*: the length of the main phase and a list of faults, each a
 * nemesis, a start, a duration and how its `start-<nemesis>` value is made. `layOut` turns a
 * plan into schedule entries; it is the only place that knows the rules every schedule keeps
 * (sorted, one fault of a nemesis at a time, every fault stopped before the phase ends).
 *
 * Why values come from a *tape*: each nemesis draws its values (shapes with concrete grudges,
 * victims, offsets, delays) from an `Rng` through its own `drawStart`. Feeding it choice bytes
 * that fast-check generates, instead of a seeded stream, keeps the nemesis the one source of
 * its values and makes them shrinkable in its own terms: a byte shrunk to 0 makes `rng.float()`
 * 0, so a pick takes the first choice and a size the smallest (isolate one node rather than a
 * ring, one victim rather than a majority, a 0.2 s skew rather than 2 min). Values of a
 * recorded schedule that no tape made are kept as they are (`given`).
 */
import type * as FastCheck from 'fast-check';
import type { Arbitrary } from 'fast-check';
import type { NemesisDef, ScheduleEntry } from '../api/nemesis.js';
import type { TestSpec } from '../api/test-spec.js';
import { lazyRequire } from '../lazy-require.js';
import { UserError } from '../user-error.js';
import { Rng } from './rng.js';

/**
 * fast-check, loaded when a schedule is first generated or shrunk. Why not at import: this module
 * is in the import graph of every command that resolves a test, and fast-check is one of the
 * largest packages faultline loads; most runs never draw a random schedule.
 */
const fastCheck = lazyRequire<typeof FastCheck>('fast-check');

/** The `--nemesis` name that asks for a generated schedule over every nemesis that can draw. */
export const RANDOM = 'random';

/** How a fault's start value is made: drawn by its nemesis from choice bytes, or given as is. */
export type FaultDraw = { tape: number[] } | { given: unknown };

/** One fault window before it is laid out: `start-<nemesis>` at `atMs`, `stop-<nemesis>` `forMs` later. */
export interface Fault {
  nemesis: string;
  /** Milliseconds after the start of the main phase. */
  atMs: number;
  forMs: number;
  draw: FaultDraw;
}

/** A schedule in shrinkable form. */
export interface Plan {
  /** Length of the main phase in milliseconds (`--time-limit`). */
  phaseMs: number;
  faults: Fault[];
}

/** What laying out needs: the cluster's nodes and the nemeses that may appear. */
export interface FaultSpace {
  nodes: readonly string[];
  nemeses: readonly NemesisDef[];
}

/** The part of a test spec a generated schedule depends on. */
export type RandomSpec = Pick<TestSpec, 'seed' | 'nodes' | 'timeLimitS' | 'nemesisIntervalS'>;

/** Choice bytes per fault: enough for any nemesis on up to 9 nodes; reads past the end give 0. */
const TAPE_LENGTH = 32;
/** Shortest generated fault. */
const MIN_FAULT_MS = 500;
/** Shortest main phase a shrink tries. */
const MIN_PHASE_MS = 1000;

/** One choice byte of a tape. */
const byte = (): Arbitrary<number> => fastCheck().integer({ min: 0, max: 255 });

/** An Rng that plays back choice bytes (byte b reads as the float b/256), then zeros. */
class TapeRng extends Rng {
  private next = 0;

  constructor(private readonly tape: readonly number[]) {
    super(0);
  }

  override nextU32(): number {
    return (this.tape[this.next++] ?? 0) * 0x1000000;
  }
}

/** Nemeses whose faults are a drawable `start-<name>` / `stop-<name>` pair. */
function drawable(nemeses: readonly NemesisDef[]): NemesisDef[] {
  return nemeses.filter((def) => {
    if (!def.drawStart) return false;
    const fs = def.build().fs;
    return fs.includes(`start-${def.name}`) && fs.includes(`stop-${def.name}`);
  });
}

/**
 * Lists of one to `phaseMs / intervalMs` faults (uniformly, unbiased) of the drawable `nemeses`, each starting
 * in the main phase and lasting from 0.5 s to two intervals (`layOut` cuts it at the end).
 */
export function faultsArbitrary(nemeses: readonly NemesisDef[], phaseMs: number, intervalMs: number): Arbitrary<Fault[]> {
  const fc = fastCheck();
  const defs = drawable(nemeses);
  if (defs.length === 0 || phaseMs <= MIN_FAULT_MS + 1) return fc.constant([]);
  const fault = (def: NemesisDef): Arbitrary<Fault> =>
    fc.record({
      nemesis: fc.constant(def.name),
      atMs: fc.integer({ min: 0, max: phaseMs - MIN_FAULT_MS - 1 }),
      forMs: fc.integer({ min: MIN_FAULT_MS, max: Math.max(MIN_FAULT_MS, 2 * intervalMs) }),
      draw: fc.record({ tape: fc.array(byte(), { minLength: TAPE_LENGTH, maxLength: TAPE_LENGTH }) }),
    });
  const most = Math.max(1, Math.round(phaseMs / Math.max(1, intervalMs)));
  return fc.array(fc.oneof(...defs.map(fault)), { minLength: 1, maxLength: most, size: 'max' });
}

/** The plan `--nemesis random` plays for `spec`: one fast-check sample, unbiased, from the seed. */
export function randomPlan(spec: RandomSpec, nemeses: readonly NemesisDef[]): Plan {
  const fc = fastCheck();
  const phaseMs = spec.timeLimitS * 1000;
  const arbitrary = fc.noBias(faultsArbitrary(nemeses, phaseMs, spec.nemesisIntervalS * 1000));
  const seed = Rng.derive(spec.seed, `nemesis-${RANDOM}`).nextU32() | 0;
  return { phaseMs, faults: fc.sample(arbitrary, { seed, numRuns: 1 })[0] ?? [] };
}

/**
 * Whether `nemeses` asks for a generated schedule.
 * @throws UserError when `random` is combined with other nemeses.
 */
export function wantsRandom(nemeses: readonly string[]): boolean {
  if (!nemeses.includes(RANDOM)) return false;
  if (nemeses.length > 1) throw new UserError(`--nemesis ${RANDOM} chooses its own nemeses; give it alone, not with ${nemeses.filter((n) => n !== RANDOM).join(', ')}`);
  return true;
}

/**
 * The schedule of `--nemesis random`. Every drawable nemesis of `all` takes part in the draw, so
 * a seed means the same faults everywhere; faults of nemeses not in `usable` (the system or the
 * network cannot do them) are left out.
 */
export function randomSchedule(spec: RandomSpec, all: readonly NemesisDef[], usable: readonly NemesisDef[]): ScheduleEntry[] {
  return layOut(randomPlan(spec, all), { nodes: spec.nodes, nemeses: usable });
}

/** The value of a fault's `start-` entry; `undefined` when its nemesis is absent or draws nothing. */
function startValue(fault: Fault, space: FaultSpace): { value: unknown } | undefined {
  if ('given' in fault.draw) return { value: fault.draw.given };
  const def = space.nemeses.find((d) => d.name === fault.nemesis);
  const value = def?.drawStart?.(space.nodes, new TapeRng(fault.draw.tape));
  return value === undefined ? undefined : { value };
}

/**
 * The schedule entries of a plan, sorted by time: a fault that would overlap an earlier one of
 * the same nemesis starts just after it ends; every fault stops before the phase ends, and one
 * with no time left, or no value, is left out.
 */
export function layOut(plan: Plan, space: FaultSpace): ScheduleEntry[] {
  const entries: ScheduleEntry[] = [];
  const busyUntil = new Map<string, number>();
  for (const fault of [...plan.faults].sort((a, b) => a.atMs - b.atMs)) {
    const startMs = Math.max(fault.atMs, (busyUntil.get(fault.nemesis) ?? -1) + 1);
    const stopMs = Math.min(startMs + fault.forMs, plan.phaseMs - 1);
    const start = stopMs > startMs ? startValue(fault, space) : undefined;
    if (!start) continue;
    const startEntry: ScheduleEntry = { atMs: startMs, f: `start-${fault.nemesis}` };
    if (start.value !== undefined) startEntry.value = start.value;
    entries.push(startEntry, { atMs: stopMs, f: `stop-${fault.nemesis}` });
    busyUntil.set(fault.nemesis, stopMs);
  }
  // Stable: at equal times a stop (pushed with an earlier fault) stays before a start.
  return entries.sort((a, b) => a.atMs - b.atMs);
}

/** `['start', 'kill']` from `start-kill`; `undefined` for an `f` that is neither. */
function splitF(f: string): [kind: 'start' | 'stop', nemesis: string] | undefined {
  const m = /^(start|stop)-(.+)$/.exec(f);
  return m ? [m[1] as 'start' | 'stop', m[2] as string] : undefined;
}

/** The nemeses a schedule names, in order of first appearance. */
export function nemesesNamed(entries: readonly ScheduleEntry[]): string[] {
  return [...new Set(entries.map((e) => splitF(e.f)?.[1] ?? e.f))];
}

/**
 * A recorded schedule as a plan with given values: each `start-X` paired with the next
 * `stop-X` (unstopped: until the phase ends). Entries that are neither are dropped.
 */
export function planOf(entries: readonly ScheduleEntry[], phaseMs: number): Plan {
  const faults: Fault[] = [];
  const open = new Map<string, Fault>();
  for (const entry of entries) {
    const [kind, nemesis] = splitF(entry.f) ?? [];
    if (kind === 'start' && nemesis) {
      const fault: Fault = { nemesis, atMs: entry.atMs, forMs: phaseMs - entry.atMs, draw: { given: entry.value } };
      faults.push(fault);
      open.set(nemesis, fault);
    } else if (kind === 'stop' && nemesis) {
      const fault = open.get(nemesis);
      if (fault) fault.forMs = entry.atMs - fault.atMs;
      open.delete(nemesis);
    }
  }
  return { phaseMs, faults };
}

/** What one shrink pass may change; everything else stays as it is. */
export type ShrinkDimension = 'faults' | 'phase' | 'times' | 'values';

/** The order of shrink passes: the cheapest wins first (fewer faults make every later run simpler). */
export const SHRINK_DIMENSIONS: readonly ShrinkDimension[] = ['faults', 'phase', 'times', 'values'];

/**
 * An arbitrary whose shrinker, started from `plan` without a context, changes only `dimension`:
 * `faults` drops faults; `phase` shortens the main phase (down to just after the last stop);
 * `times` moves starts earlier and makes faults shorter; `values` shrinks tapes byte by byte
 * and replaces given values with simpler (shorter) ones the same nemesis had in the plan.
 * Every part can shrink a value it did not generate, which fast-check needs to shrink `plan`.
 */
export function shrinkArbitrary(plan: Plan, dimension: ShrinkDimension, space: FaultSpace): Arbitrary<Plan> {
  const fc = fastCheck();
  const fixed = <T>(value: T): Arbitrary<T> => fc.constant(value);
  if (dimension === 'faults') {
    const faults: Arbitrary<Fault[]> =
      plan.faults.length === 0 ? fixed(plan.faults) : fc.array(fc.oneof(...plan.faults.map(fixed)), { maxLength: plan.faults.length });
    return fc.record({ phaseMs: fixed(plan.phaseMs), faults });
  }
  if (dimension === 'phase') {
    const lastStop = layOut(plan, space).at(-1)?.atMs ?? 0;
    const lowest = Math.min(plan.phaseMs, Math.max(MIN_PHASE_MS, lastStop + 1));
    return fc.record({ phaseMs: fc.integer({ min: lowest, max: plan.phaseMs }), faults: fixed(plan.faults) });
  }
  const simplest = givenValuesBySize(plan);
  const fault = (f: Fault): Arbitrary<Fault> =>
    fc.record({
      nemesis: fixed(f.nemesis),
      atMs: dimension === 'times' ? fc.integer({ min: 0, max: f.atMs }) : fixed(f.atMs),
      forMs: dimension === 'times' ? fc.integer({ min: Math.min(1, f.forMs), max: f.forMs }) : fixed(f.forMs),
      draw: dimension === 'values' ? drawArbitrary(f, simplest) : fixed(f.draw),
    });
  return fc.record({ phaseMs: fixed(plan.phaseMs), faults: fc.tuple(...plan.faults.map(fault)) as Arbitrary<Fault[]> });
}

/** Each nemesis's given values in the plan, shortest JSON first (fewer nodes, smaller shapes). */
function givenValuesBySize(plan: Plan): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  for (const f of plan.faults) {
    if (!('given' in f.draw)) continue;
    const values = out.get(f.nemesis);
    if (values) values.push(f.draw.given);
    else out.set(f.nemesis, [f.draw.given]);
  }
  const size = (v: unknown): number => JSON.stringify(v ?? null).length;
  for (const values of out.values()) values.sort((a, b) => size(a) - size(b));
  return out;
}

function drawArbitrary(f: Fault, givens: ReadonlyMap<string, unknown[]>): Arbitrary<FaultDraw> {
  const fc = fastCheck();
  if ('tape' in f.draw) return fc.record({ tape: fc.array(byte(), { minLength: f.draw.tape.length, maxLength: f.draw.tape.length }) });
  return fc.record({ given: fc.constantFrom(...(givens.get(f.nemesis) ?? [f.draw.given])) });
}
