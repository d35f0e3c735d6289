/**
 * Process death, in its two usual forms: `kill` (kill -9, a crash: whatever was not on disk is
 * lost) and `restart` (a graceful stop, as an operator's restart). Both bring the node back with
 * its data directory intact, so they test recovery from what the node persisted. One fault
 * window at a time per nemesis; victims are one node, a minority, a majority, every node (the
 * whole cluster down at once, as in a power loss: only what reached the disk survives; a short
 * blackout, see `ALL_DOWN_MS` in ./node-fault.ts) or the primary (asked for when the fault
 * runs; a node drawn by the seed when the system cannot tell).
 *
 * Operations:
 * - `start-kill` `{target, nodes}` → kill -9 the victims; `stop-kill` → start them again.
 * - `start-restart` `{target, nodes}` → stop the victims gracefully (SIGTERM, SIGKILL after a
 *   grace period); `stop-restart` → start them again.
 * A rolling restart of the whole cluster is its own nemesis: ./rolling-restart.ts.
 */
import { nodeFault } from './node-fault.js';

/** Victims process deaths are drawn from: every kind, the whole cluster included. */
const DEATH_KINDS = ['one', 'minority', 'majority', 'all', 'primary'] as const;

/** The `kill` nemesis: crash one node, a minority, a majority, all of them or the primary, then restart. */
export const kill = nodeFault({
  name: 'kill',
  description: 'kill -9 one node, a minority, a majority, all nodes or the primary, then start them again (data kept)',
  kinds: DEATH_KINDS,
  apply: (cluster, node) => cluster.kill(node),
  undo: (cluster, node) => cluster.start(node),
  words: { apply: 'kill', undo: 'restart' },
});

/** The `restart` nemesis: stop one node, a minority, a majority, all of them or the primary gracefully, then start them again. */
export const restart = nodeFault({
  name: 'restart',
  description: 'Stop one node, a minority, a majority, all nodes or the primary gracefully (SIGTERM), then start them again',
  kinds: DEATH_KINDS,
  apply: (cluster, node) => cluster.stop(node),
  undo: (cluster, node) => cluster.start(node),
  words: { apply: 'stop', undo: 'start' },
});
