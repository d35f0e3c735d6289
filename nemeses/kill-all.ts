/**
 * The `kill-all` nemesis: crash every node at once (kill -9, as a power loss of the whole
 * cluster does) and start them all again after a short blackout (at most `ALL_DOWN_MS`). Only
 * what each node had on its disk survives, so this is the fault aimed at durability bugs: a log
 * not fsynced before an acknowledgement, a log or accepted value not reloaded on restart. The
 * `kill` nemesis also kills the whole cluster now and then; this one does it in every fault
 * window, so a bug that needs it is met several times per run instead of by luck of the seed.
 *
 * Operations: `start-kill-all` `{target: 'all', nodes: [every node]}` → kill -9 every node;
 * `stop-kill-all` → start them again (data kept).
 */
import { nodeFault } from './node-fault.js';

/** The `kill-all` nemesis: crash the whole cluster, then start it again. */
export const killAll = nodeFault({
  name: 'kill-all',
  description: 'kill -9 every node at once (a power loss: only what reached the disk survives), then start them all again after a short blackout',
  kinds: ['all'],
  apply: (cluster, node) => cluster.kill(node),
  undo: (cluster, node) => cluster.start(node),
  words: { apply: 'kill', undo: 'restart' },
});
