/**
 * The `pause` nemesis: freeze processes with SIGSTOP and thaw them with SIGCONT. A paused node
 * keeps its sockets open but answers nothing, like a long GC pause or a stalled VM; when it
 * resumes it acts on a stale view of the world (an old leader that still believes it leads),
 * which is what this fault is for.
 *
 * Operations: `start-pause` `{target, nodes}` → SIGSTOP one node, a minority or the primary
 * (asked for when the fault runs; a node drawn by the seed when the system cannot tell);
 * `stop-pause` → SIGCONT them. No majority: a frozen majority only stalls the cluster.
 */
import { nodeFault } from './node-fault.js';

/** The `pause` nemesis: SIGSTOP one node, a minority or the primary, then SIGCONT. */
export const pause = nodeFault({
  name: 'pause',
  description: 'SIGSTOP one node, a minority or the primary, then SIGCONT them',
  kinds: ['one', 'minority', 'primary'],
  apply: (cluster, node) => cluster.pause(node),
  undo: (cluster, node) => cluster.resume(node),
  words: { apply: 'pause', undo: 'resume' },
});
