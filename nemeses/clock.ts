/**
 * The `clock` nemesis: skews nodes' wall clocks, the fault behind lease reads that outlive their
 * lease and timestamps that run backwards. Offsets range from 0.2 s to 2 min, forward and back,
 * spread on a log scale. Only the node's idea of the time changes (the bundled clock module, or
 * libfaketime for third-party systems); monotonic clocks and timers keep running true.
 *
 * Three windows in four skew the primary alone, backward two times in three: the primary's clock
 * is the one leases and timestamps are read from, and a leader whose clock jumps back holds its
 * lease too long, while a skewed follower is usually harmless. The other windows skew a random
 * subset of nodes either way (one in six) or strobe one node (one in twelve).
 *
 * Operations:
 * - `start-clock` `{kind: 'skew', offsets: {n2: 30500, n4: -1200}}` → set those offsets (ms).
 * - `start-clock` `{kind: 'skew', target: 'primary', offsets: {n3: -2000}}` → set that offset on
 *   whichever node is the primary when the fault runs (./targets.ts); the one node named is the
 *   stand-in drawn by the seed, skewed when the system cannot tell its primary. The result
 *   records the offsets as set.
 * - `start-clock` `{kind: 'strobe', node, deltaMs, periodMs, forMs}` → flip the node's offset
 *   between +deltaMs and -deltaMs every `periodMs` for `forMs`, then leave the last value. It
 *   runs in the background, so the schedule is not held up. Under libfaketime a node re-reads
 *   its offset only once a second, so it sees a slower, sampled strobe.
 * - `stop-clock` → stop any strobe and set every node's offset back to 0.
 * Strobe is a kind of `start-clock`, not an operation of its own, so the report's clock band
 * covers it and `stop-clock` / `heal` end it like any skew.
 *
 * `clock-primary` (as `partition-primary` is to `partition`): the primary skew of `clock` in
 * every window, `start-clock-primary` `{kind: 'skew', target: 'primary', offsets: {stand-in: ms}}`
 * and `stop-clock-primary`. A leader whose wall clock steps ahead, when skewed forward or when a
 * backward skew is reset, is what a lease read off that clock alone trips on; `clock` leaves a
 * quarter of its windows to other nodes, so a short run can miss the leader altogether.
 */
import type { Cluster } from '../src/api/cluster.js';
import type { Nemesis, NemesisContext, NemesisDef, ScheduleEntry, ScheduleOptions } from '../src/api/nemesis.js';
import type { Rng } from '../src/gen/rng.js';
import { abortableSleep } from '../src/abortable-sleep.js';
import { faultWindows, logUniform, startStop } from './cadence.js';
import { resolveTargets } from './targets.js';
import { startStopNemesis, validateStart } from './start-stop.js';

/** Set fixed offsets on some nodes. */
export interface SkewClocks {
  kind: 'skew';
  /** Offset from true time in milliseconds, per node. */
  offsets: Record<string, number>;
  /** `primary`: `offsets` names one stand-in node, and the offset goes to the primary instead. */
  target?: 'primary';
}

/** Flip one node's offset back and forth. */
export interface StrobeClock {
  kind: 'strobe';
  node: string;
  deltaMs: number;
  periodMs: number;
  forMs: number;
}

/** The value of a `start-clock` operation. */
export type StartClock = SkewClocks | StrobeClock;

/** Smallest and largest offset the schedule draws, in milliseconds. */
export const OFFSET_RANGE_MS = { min: 200, max: 120_000 } as const;
const STROBE_PERIOD_MS = 100;
/** Shares of the fault windows that skew the primary, and that strobe a node; the rest skew a subset. */
const PRIMARY_SHARE = 3 / 4;
const STROBE_SHARE = 1 / 12;
/** How often a skew of the primary sets its clock back rather than forward. */
const PRIMARY_BACK_SHARE = 2 / 3;

/** An offset of 0.2 s to 2 min, rounded to the millisecond: back with probability `back`, else forward. */
function drawOffset(rng: Rng, back = 1 / 2): number {
  const size = Math.round(logUniform(OFFSET_RANGE_MS.min, OFFSET_RANGE_MS.max, rng));
  return rng.float() < back ? -size : size;
}

/** `+30.5 s`, `-0.2 s`. */
export function formatOffset(ms: number): string {
  return `${ms < 0 ? '-' : '+'}${Number((Math.abs(ms) / 1000).toFixed(3))} s`;
}

/** A skew of whichever node is primary when it runs (a stand-in drawn now), back two times in three. */
function primarySkew(nodes: readonly string[], rng: Rng): SkewClocks {
  return { kind: 'skew', target: 'primary', offsets: { [rng.pick(nodes)]: drawOffset(rng, PRIMARY_BACK_SHARE) } };
}

/** A skew of the primary, a skew of one or more nodes, or a strobe of one node; `undefined` without nodes. */
function drawStart(nodes: readonly string[], rng: Rng): StartClock | undefined {
  if (nodes.length === 0) return undefined;
  const roll = rng.float();
  if (roll < PRIMARY_SHARE) return primarySkew(nodes, rng);
  if (roll < 1 - STROBE_SHARE) {
    const chosen = new Set(rng.shuffle(nodes).slice(0, 1 + rng.int(nodes.length)));
    const offsets: Record<string, number> = {};
    for (const node of nodes) if (chosen.has(node)) offsets[node] = drawOffset(rng);
    return { kind: 'skew', offsets };
  }
  return {
    kind: 'strobe',
    node: rng.pick(nodes),
    deltaMs: Math.abs(drawOffset(rng)),
    periodMs: STROBE_PERIOD_MS,
    forMs: 2000 + rng.int(3000),
  };
}

/** One `start-<name>` / `stop-<name>` window after another, each drawn by `draw`; none without nodes. */
function windowsOf(name: string, draw: (nodes: readonly string[], rng: Rng) => StartClock | undefined) {
  return (opts: ScheduleOptions): ScheduleEntry[] => (opts.nodes.length === 0 ? [] : faultWindows(opts, (window, rng) => startStop(name, window, draw(opts.nodes, rng))));
}

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

function parseStart(value: unknown, nodes: readonly string[]): StartClock {
  const v = (value ?? {}) as Partial<SkewClocks> & Partial<StrobeClock>;
  const known = (node: unknown): boolean => typeof node === 'string' && nodes.includes(node);
  if (v.kind === 'skew' && typeof v.offsets === 'object' && v.offsets !== null && (v.target === undefined || v.target === 'primary')) {
    const entries = Object.entries(v.offsets);
    const count = v.target === 'primary' ? entries.length === 1 : entries.length > 0;
    if (count && entries.every(([node, ms]) => known(node) && finite(ms))) {
      return v.target === 'primary' ? { kind: 'skew', target: 'primary', offsets: v.offsets } : { kind: 'skew', offsets: v.offsets };
    }
  }
  if (v.kind === 'strobe' && known(v.node) && finite(v.deltaMs) && finite(v.periodMs) && v.periodMs > 0 && finite(v.forMs)) {
    return { kind: 'strobe', node: v.node as string, deltaMs: v.deltaMs, periodMs: v.periodMs, forMs: v.forMs };
  }
  throw new Error(
    `start-clock needs {kind: 'skew', offsets: {node: ms}}, {kind: 'skew', target: 'primary', offsets: {stand-in: ms}} ` +
      `or {kind: 'strobe', node, deltaMs, periodMs, forMs}, got ${JSON.stringify(value)}`,
  );
}

/** A `start-clock-primary` value: a skew of the primary, nothing else. */
function parsePrimarySkew(value: unknown, nodes: readonly string[]): SkewClocks {
  const op = parseStart(value, nodes);
  if (op.kind !== 'skew' || op.target !== 'primary') throw new Error(`start-clock-primary needs {kind: 'skew', target: 'primary', offsets: {stand-in: ms}}, got ${JSON.stringify(value)}`);
  return op;
}

/** The offsets a skew sets now, and how to say so: a primary skew moves its one offset to the primary. */
async function resolveSkew(op: SkewClocks, ctx: NemesisContext): Promise<{ offsets: Record<string, number>; text: string }> {
  const entries = Object.entries(op.offsets);
  if (op.target !== 'primary') return { offsets: op.offsets, text: `skew clocks: ${entries.map(([node, ms]) => `${node} ${formatOffset(ms)}`).join(', ')}` };
  const [standIn, ms] = entries[0]!;
  const { nodes, label } = await resolveTargets({ target: 'primary', nodes: [standIn] }, ctx.cluster, ctx.signal);
  return { offsets: { [nodes[0]!]: ms }, text: `skew the clock of ${label} by ${formatOffset(ms)}` };
}

/** Flip `node` between +delta and -delta until `forMs` is over or `signal` aborts. */
async function runStrobe(cluster: Cluster, s: StrobeClock, signal: AbortSignal): Promise<void> {
  const flips = Math.max(1, Math.floor(s.forMs / s.periodMs));
  for (let i = 0; i < flips && !signal.aborted; i++) {
    await cluster.setClockOffset(s.node, i % 2 === 0 ? s.deltaMs : -s.deltaMs);
    if (i + 1 < flips) await abortableSleep(s.periodMs, signal);
  }
}

/** The nemesis object for one run, its operations `start-<name>` (checked by `parse`) and `stop-<name>`: remembers the strobe in progress. */
function build(name: string, parse: (value: unknown, nodes: readonly string[]) => StartClock): Nemesis {
  /** The strobe in progress; `done` resolves after its last write, to the error that ended it, if any. */
  let strobe: { abort: AbortController; done: Promise<unknown> } | undefined;

  /** End the strobe, if any, and wait for its last write, so nothing overwrites a reset. */
  async function endStrobe(): Promise<unknown> {
    const current = strobe;
    strobe = undefined;
    if (!current) return undefined;
    current.abort.abort();
    return current.done;
  }

  async function start(value: unknown, ctx: NemesisContext): Promise<{ text: string } & StartClock> {
    const op = parse(value, ctx.cluster.nodes);
    await endStrobe();
    if (op.kind === 'skew') {
      const { offsets, text } = await resolveSkew(op, ctx);
      await Promise.all(Object.entries(offsets).map(([node, ms]) => ctx.cluster.setClockOffset(node, ms)));
      return { ...op, offsets, text };
    }
    const abort = new AbortController();
    const done = runStrobe(ctx.cluster, op, abort.signal).then(() => undefined, (err: unknown) => err);
    strobe = { abort, done };
    return { ...op, text: `strobe ${op.node}'s clock ±${formatOffset(op.deltaMs).slice(1)} every ${op.periodMs} ms for ${op.forMs / 1000} s` };
  }

  /** Stop any strobe and reset every clock; a failed strobe write is reported here. */
  async function reset(ctx: NemesisContext): Promise<{ text: string }> {
    const strobeError = await endStrobe();
    await Promise.all(ctx.cluster.nodes.map((node) => ctx.cluster.setClockOffset(node, 0)));
    if (strobeError !== undefined) throw strobeError;
    return { text: 'reset clocks' };
  }

  return startStopNemesis(name, { start, stop: reset });
}

/** The `clock` nemesis. */
export const clock: NemesisDef = {
  name: 'clock',
  description: 'Skew node clocks (mostly the primary\'s, mostly back) by 0.2 s to 2 min either way, or strobe one back and forth, then reset them',
  requires: ['clock'],
  build: () => build('clock', parseStart),
  schedule: windowsOf('clock', drawStart),
  validate: validateStart('clock', parseStart),
  drawStart,
};

const drawPrimarySkew = (nodes: readonly string[], rng: Rng): SkewClocks | undefined => (nodes.length === 0 ? undefined : primarySkew(nodes, rng));

/** The `clock-primary` nemesis. */
export const clockPrimary: NemesisDef = {
  name: 'clock-primary',
  description: "Skew the primary's clock (found when the fault runs) by 0.2 s to 2 min, back two times in three, in every window; then reset it",
  requires: ['clock', 'primary'],
  build: () => build('clock-primary', parsePrimarySkew),
  schedule: windowsOf('clock-primary', drawPrimarySkew),
  validate: validateStart('clock-primary', parsePrimarySkew),
  // No drawStart: `random` draws clock's primary skews already, and a nemesis more would change
  // every seed's random schedule.
};
