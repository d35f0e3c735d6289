/**
 * Partitions aimed at the primary, found when the fault runs (Jepsen's targeted partitions),
 * in every fault window; `partition` aims at it in half of its windows. Two nemeses:
 *
 * - `partition-primary`: the primary cut off alone, or (from five nodes) with a minority it can
 *   still lead. The moment a leader-based system's partition bugs need: a deposed leader that
 *   still answers reads from its own state, a leader that counts a minority as enough to commit,
 *   an old primary that keeps acknowledging after a newer one was elected.
 * - `bridge-primary`: the primary on one side of a bridge (Jepsen's `:bridge`): two sides that
 *   cannot hear each other, joined by one node that hears everyone. The far side can elect a
 *   primary of its own through the bridge node, which then hears two primaries at once: where an
 *   acceptor that does not check ballots serves both.
 *
 * Operations: `start-<name>` `{shape, grudge}` (the grudge is the cut used when no primary is
 * known, as for `partition`) and `stop-<name>` → heal. Each nemesis cuts in a layer named after
 * it (src/net/cut-layers.ts), so they combine with `partition` and each other: the network drops
 * what any of them cuts, and each heal lifts only its own cuts.
 */
import type { NemesisDef } from '../src/api/nemesis.js';
import type { Rng } from '../src/gen/rng.js';
import { makeGrudge, parseStart, partitionNemesis, partitionWindows, shapesFor, type PartitionShape, type StartPartition } from './partition.js';
import { validateStart } from './start-stop.js';

/** A nemesis whose every cut is one of `shapes`, aimed at the primary. */
function aimedPartition(name: string, description: string, shapes: (n: number) => PartitionShape[]): NemesisDef {
  const draw = (nodes: readonly string[], rng: Rng): StartPartition | undefined => {
    const fit = nodes.length < 3 ? [] : shapes(nodes.length);
    if (fit.length === 0) return undefined;
    const shape = rng.pick(fit);
    return { shape, grudge: makeGrudge(shape, nodes, rng) };
  };
  const parse = (value: unknown, nodes: readonly string[]): StartPartition => {
    const start = parseStart(value, nodes);
    const allowed = shapes(Math.max(5, nodes.length));
    if (!allowed.includes(start.shape)) throw new Error(`start-${name} needs a shape aimed at the primary (${allowed.join('|')}), got ${start.shape}`);
    return start;
  };
  return {
    name,
    description,
    requires: ['primary'],
    build: () => partitionNemesis(name, parse),
    schedule: partitionWindows(name, draw),
    validate: validateStart(name, parse),
    drawStart: draw,
  };
}

/** The `partition-primary` nemesis. */
export const partitionPrimary = aimedPartition(
  'partition-primary',
  'Cut off the primary (found when the fault runs): alone, or with a minority it can still lead; then heal',
  (n) => shapesFor(n).filter((s) => s === 'isolate-primary' || s === 'primary-minority'),
);

/** The `bridge-primary` nemesis. */
export const bridgePrimary = aimedPartition(
  'bridge-primary',
  'Put the primary (found when the fault runs) on one side of a bridge: the far side hears it only through one node, which hears everyone; then heal',
  () => ['primary-bridge'],
);
