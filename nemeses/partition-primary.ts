/**
 * The `partition-primary` nemesis: every cut it makes is aimed at the primary, found when the
 * fault runs: cut off alone, or (from five nodes) with a minority it can still lead. This is the
 * moment a leader-based system's partition bugs need (Jepsen's targeted partitions): a deposed
 * leader that still answers reads from its own state, a leader that counts a minority as enough
 * to commit, an old primary that keeps acknowledging after a newer one was elected. `partition`
 * aims at the primary in half of its windows; this one in all of them.
 *
 * Operations: `start-partition-primary` `{shape: isolate-primary|primary-minority, grudge}` (the
 * grudge is the cut used when no primary is known, as for `partition`) and
 * `stop-partition-primary` → heal. Like two `partition` nemeses, it should not be combined with
 * `partition`: each heal undoes the other's cut.
 */
import type { NemesisDef } from '../src/api/nemesis.js';
import type { Rng } from '../src/gen/rng.js';
import { cut, heal, makeGrudge, parseStart, partitionWindows, PRIMARY_SHAPES, shapesFor, type StartPartition } from './partition.js';
import { startStopNemesis, validateStart } from './start-stop.js';

/** A primary-targeted cut for `nodes`, with its stand-in; `undefined` below three nodes. */
export function drawPrimaryPartition(nodes: readonly string[], rng: Rng): StartPartition | undefined {
  const shapes = shapesFor(nodes.length).filter((s) => PRIMARY_SHAPES.includes(s));
  if (nodes.length < 3 || shapes.length === 0) return undefined;
  const shape = rng.pick(shapes);
  return { shape, grudge: makeGrudge(shape, nodes, rng) };
}

/** A `start-partition-primary` value: a `start-partition` one whose shape aims at the primary. */
function parsePrimaryStart(value: unknown, nodes: readonly string[]): StartPartition {
  const start = parseStart(value, nodes);
  if (!PRIMARY_SHAPES.includes(start.shape)) {
    throw new Error(`start-partition-primary needs a shape aimed at the primary (${PRIMARY_SHAPES.join('|')}), got ${start.shape}`);
  }
  return start;
}

/** The `partition-primary` nemesis. */
export const partitionPrimary: NemesisDef = {
  name: 'partition-primary',
  description: 'Cut off the primary (found when the fault runs): alone, or with a minority it can still lead; then heal',
  requires: ['primary'],
  build: () => startStopNemesis('partition-primary', { start: (value, ctx) => cut(value, ctx, parsePrimaryStart), stop: heal }),
  schedule: partitionWindows('partition-primary', drawPrimaryPartition),
  validate: validateStart('partition-primary', parsePrimaryStart),
  drawStart: drawPrimaryPartition,
};
