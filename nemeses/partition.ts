/**
 * The `partition` nemesis: alternately cuts the network into a random shape and heals it. Each
 * shape is chosen and made concrete when the schedule is built, so a seed replays the same cuts;
 * only the primary-targeted shapes are resolved when they run, because the primary is only known
 * then. Half the partitions aim at the primary (cut off alone, or with a minority that it can
 * still lead), as Jepsen's targeted partitions do: that is where a leader-based system keeps
 * serving when it should not (stale reads, writes acknowledged by a minority). The other half
 * are the untargeted shapes. Its cuts are a layer of their own (src/net/cut-layers.ts), so it
 * runs beside the other partition-type nemeses: its heal lifts only its own cuts.
 */
import type { Nemesis, NemesisContext, NemesisDef, ScheduleEntry, ScheduleOptions } from '../src/api/nemesis.js';
import type { Grudge } from '../src/api/net.js';
import { bridge, complete, componentsOf, describeGrudge, isolate, majoritiesRing, oneWay, randomHalves } from '../src/net/grudge.js';
import type { Rng } from '../src/gen/rng.js';
import { clearCutLayer, othersInForce, setCutLayer, type OtherCuts } from '../src/net/cut-layers.js';
import { faultWindows, startStop } from './cadence.js';
import { minoritySize } from './targets.js';
import { startStopNemesis, validateStart } from './start-stop.js';

/** Shapes the schedule picks from. */
export type PartitionShape = 'random-halves' | 'isolate-one' | 'majorities-ring' | 'bridge' | 'isolate-primary' | 'primary-minority' | 'one-way' | 'primary-bridge';

/** Shapes resolved against the primary when they run. */
export const PRIMARY_SHAPES: readonly PartitionShape[] = ['isolate-primary', 'primary-minority'];
/** Every shape resolved against the primary when it runs: `partition-primary`'s bridge as well. */
const AIMED_SHAPES: readonly PartitionShape[] = [...PRIMARY_SHAPES, 'primary-bridge'];

/** The value of a `start-partition` operation. */
export interface StartPartition {
  shape: PartitionShape;
  /**
   * The concrete cut; for the primary-targeted shapes, the stand-in used when no primary is
   * known (for `primary-minority`, its smaller side also names who joins the primary).
   */
  grudge?: Grudge;
}

/** What `start-partition` records as done: `grudge` is this nemesis's own cut. */
export interface PartitionDone extends OtherCuts {
  shape: string;
  grudge: Grudge;
  /** For `isolate-primary`: the node that was the primary and was cut off. */
  primary?: string;
  text: string;
}

/** Every shape a `start-partition` may name. */
const SHAPES: readonly PartitionShape[] = ['random-halves', 'isolate-one', 'majorities-ring', 'bridge', 'isolate-primary', 'one-way', 'primary-minority'];
/** Every shape a schedule entry may name: `partition`'s and the primary on one side of a bridge. */
const KNOWN_SHAPES: readonly PartitionShape[] = [...SHAPES, 'primary-bridge'];

/**
 * The shapes that make sense for a cluster of `n` nodes (rings and bridges need 3; a primary
 * with a minority is a shape of its own once a minority holds two nodes).
 */
export function shapesFor(n: number): PartitionShape[] {
  if (n < 2) return [];
  if (n < 3) return ['random-halves', 'isolate-one', 'one-way'];
  return SHAPES.filter((s) => s !== 'primary-minority' || minoritySize(n) >= 2);
}

/** Make a shape concrete for `nodes`, drawing every random choice from `rng`. */
export function makeGrudge(shape: PartitionShape, nodes: readonly string[], rng: Rng): Grudge {
  switch (shape) {
    case 'random-halves':
      return randomHalves(nodes, rng);
    case 'isolate-one':
    case 'isolate-primary': // the primary is only known when the fault runs; a stand-in until then
      return isolate(nodes, rng.pick(nodes));
    case 'primary-minority': {
      const order = rng.shuffle(nodes);
      const cut = minoritySize(nodes.length);
      return complete([order.slice(0, cut), order.slice(cut)]);
    }
    case 'majorities-ring':
      return majoritiesRing(nodes, rng);
    case 'bridge':
    case 'primary-bridge': // the primary takes a side when the fault runs
      return bridge(rng.shuffle(nodes));
    case 'one-way': {
      // One node's messages reach nobody while it still hears everyone (asymmetric partition).
      const mute = rng.pick(nodes);
      return oneWay(mute, nodes.filter((n) => n !== mute));
    }
  }
}

/**
 * A random shape made concrete for `nodes`: half the time one aimed at the primary, otherwise
 * one of the others; `undefined` when no shape fits (fewer than 2 nodes).
 */
export function drawPartition(nodes: readonly string[], rng: Rng): StartPartition | undefined {
  const shapes = shapesFor(nodes.length);
  if (shapes.length === 0) return undefined;
  const targeted = shapes.filter((s) => PRIMARY_SHAPES.includes(s));
  const others = shapes.filter((s) => !PRIMARY_SHAPES.includes(s));
  // A draw of 0 (what a shrunk tape gives) is the simplest shape: random halves.
  const shape = targeted.length > 0 && rng.float() >= 0.5 ? rng.pick(targeted) : rng.pick(others);
  return { shape, grudge: makeGrudge(shape, nodes, rng) };
}

/**
 * The cut that puts `primary` on the minority side: the stand-in's smaller side, with the
 * primary in place of its first member unless it is already there.
 */
export function primaryMinority(standIn: Grudge, nodes: readonly string[], primary: string): Grudge {
  const sides = componentsOf(standIn, nodes);
  const small = sides?.length === 2 ? [...sides].sort((a, b) => a.length - b.length)[0] : undefined;
  if (!small) throw new Error(`primary-minority needs a stand-in cut into two sides, got ${describeGrudge(standIn, nodes)}`);
  const minority = small.includes(primary) ? small : [primary, ...small.slice(1)];
  return complete([minority, nodes.filter((n) => !minority.includes(n))]);
}

/**
 * The bridge `standIn` with the primary on one of its sides: as it is when the primary is not its
 * bridge node; otherwise the primary trades places with the first other node in cluster order.
 */
export function primaryBridge(standIn: Grudge, nodes: readonly string[], primary: string): Grudge {
  const dropped = (node: string): boolean => nodes.some((other) => (standIn[other] ?? []).includes(node));
  const middle = nodes.find((node) => (standIn[node] ?? []).length === 0 && !dropped(node));
  if (middle === undefined || nodes.every((node) => (standIn[node] ?? []).length === 0)) {
    throw new Error(`primary-bridge needs a stand-in bridge (two sides joined by one node), got ${describeGrudge(standIn, nodes)}`);
  }
  if (middle !== primary) return standIn;
  const other = nodes.find((node) => node !== primary) as string;
  const swap = (node: string): string => (node === primary ? other : node === other ? primary : node);
  return Object.fromEntries(Object.entries(standIn).map(([node, drops]) => [swap(node), drops.map(swap)]));
}

/**
 * One `start-<name>` / `stop-<name>` window after another (./cadence.ts), each cut drawn by
 * `draw`; no entries when `draw` finds no shape for the cluster. Pure: the same rng state gives
 * the same schedule.
 */
export function partitionWindows(name: string, draw: (nodes: readonly string[], rng: Rng) => StartPartition | undefined) {
  return (opts: ScheduleOptions): ScheduleEntry[] =>
    faultWindows(opts, (window, rng) => {
      const value = draw(opts.nodes, rng);
      return value === undefined ? [] : startStop(name, window, value);
    });
}

/**
 * Alternating `start-partition` / `stop-partition` entries about `intervalMs` apart, sorted by
 * time, with every partition healed before `durationMs`.
 */
export const partitionSchedule = partitionWindows('partition', drawPartition);

/** Check a `start-partition` value against the cluster's `nodes` (schedules may be written by hand). */
export function parseStart(value: unknown, nodes: readonly string[]): StartPartition {
  const v = (value ?? {}) as Partial<StartPartition>;
  if (!KNOWN_SHAPES.includes(v.shape as PartitionShape)) {
    throw new Error(`start-partition needs {shape: ${KNOWN_SHAPES.join('|')}, grudge: {node: [nodes it drops]}}, got ${JSON.stringify(value)}`);
  }
  const { grudge } = v;
  if (grudge === undefined && AIMED_SHAPES.includes(v.shape as PartitionShape)) return { shape: v.shape as PartitionShape };
  if (typeof grudge !== 'object' || grudge === null || Array.isArray(grudge)) {
    throw new Error(`start-partition ${v.shape} needs a grudge {node: [nodes whose messages it drops]}, got ${JSON.stringify(grudge)}`);
  }
  for (const [node, drops] of Object.entries(grudge as Record<string, unknown>)) {
    if (!Array.isArray(drops)) throw new Error(`start-partition: the grudge of ${node} must be a list of nodes, got ${JSON.stringify(drops)}`);
    const unknown = [node, ...drops].filter((n) => typeof n !== 'string' || !nodes.includes(n));
    if (unknown.length > 0) throw new Error(`start-partition: no node named ${unknown.map((n) => JSON.stringify(n)).join(', ')} in this cluster (${nodes.join(', ')})`);
  }
  return { shape: v.shape as PartitionShape, grudge: grudge as Grudge };
}

/** Make the cut `value` names (checked with `parse`) in `layer`; primary-targeted shapes are resolved now. */
async function cut(layer: string, value: unknown, ctx: NemesisContext, parse = parseStart): Promise<PartitionDone> {
  const { shape, grudge } = parse(value, ctx.cluster.nodes);
  const nodes = ctx.cluster.nodes;
  const done = async (applied: Grudge, text: string, primary?: string): Promise<PartitionDone> => {
    const others = othersInForce(await setCutLayer(ctx.net, layer, applied), nodes, 'cut');
    return { shape, grudge: applied, ...(primary !== undefined && { primary }), ...others.value, text: text + others.clause };
  };
  if (!AIMED_SHAPES.includes(shape)) return done(grudge as Grudge, `partition ${shape}: ${describeGrudge(grudge as Grudge, nodes)}`);
  const primary = await ctx.cluster.primary(ctx.signal);
  if (primary === undefined) {
    const fallback = grudge ?? {};
    return done(fallback, `isolate the primary: none known, so ${describeGrudge(fallback, nodes)}`);
  }
  // A hand-written entry may leave out the stand-in: then the primary's companions follow it in cluster order.
  if (shape === 'primary-bridge') {
    const cut = primaryBridge(grudge ?? bridge(nodes), nodes, primary);
    return done(cut, `primary ${primary} on one side of a bridge: ${describeGrudge(cut, nodes)}`, primary);
  }
  const alone = shape === 'isolate-primary';
  const standIn = grudge ?? complete([nodes.slice(0, minoritySize(nodes.length)), nodes.slice(minoritySize(nodes.length))]);
  const cut = alone ? isolate(nodes, primary) : primaryMinority(standIn, nodes, primary);
  return done(cut, `${alone ? `isolate the primary ${primary}` : `primary ${primary} cut off with a minority`}: ${describeGrudge(cut, nodes)}`, primary);
}

/** Lift `layer`'s cuts only: other nemeses' cuts and every link shape stay in force. */
async function heal(layer: string, ctx: NemesisContext): Promise<OtherCuts & { text: string }> {
  const others = othersInForce(await clearCutLayer(ctx.net, layer), ctx.cluster.nodes, 'heal');
  return { ...others.value, text: `heal the partition${others.clause}` };
}

/** A nemesis of `start-<name>` (a cut checked with `parse`) and `stop-<name>`, cutting in the layer `name`. */
export function partitionNemesis(name: string, parse = parseStart): Nemesis {
  return startStopNemesis(name, { start: (value, ctx) => cut(name, value, ctx, parse), stop: (ctx) => heal(name, ctx) });
}

/** The `partition` nemesis (Jepsen's partition-random-halves and friends). */
export const partition: NemesisDef = {
  name: 'partition',
  description: 'Cut the network (half the time around the primary: alone, or with a minority it still leads; otherwise random halves, one node alone, majorities ring, bridge, one-way), then heal',
  build: () => partitionNemesis('partition'),
  schedule: partitionSchedule,
  validate: validateStart('partition', parseStart),
  drawStart: drawPartition,
};
