/**
 * `broadcast` (Maelstrom's broadcast workload): every thread broadcasts unique values through
 * its node and reads what its node has received; after the heal and the recovery time, a final
 * read through every node. Before anything else (and before any fault) every thread tells its
 * node the topology (`topology`: each node's neighbours), as Maelstrom does at start. Checked by
 * the broadcast checker (every acknowledged value in every node's final read, nothing read that
 * was never broadcast; stale reads and stable latency as figures) and `stats`.
 *
 * Reads are half the operations, so a node cut off from the others is asked often, and each read
 * says which values had reached it by then (the stale-read count).
 */
import type { Invocation } from '../src/api/client.js';
import type { WorkloadDef } from '../src/api/workload.js';
import { mix, repeat, seq, sleep, timeLimit, untilOk } from '../src/gen/combinators.js';
import { broadcast as broadcastChecker } from '../checkers/broadcast/index.js';
import { stats } from '../checkers/stats.js';
import { CONVERGE_MS } from './counter.js';
import { uniqueElements } from './set.js';

/** How long the final reads (and the topology messages) may take in all; reads still failing then are given up. */
const FINAL_READS_MS = 10_000;

export const TOPOLOGIES = ['grid', 'line', 'total'] as const;
export type Topology = Readonly<Record<string, readonly string[]>>;

/**
 * Each node's neighbours: `grid` (Maelstrom's default: nodes row by row in a square grid, each
 * linked to the nodes beside, above and below it), `line` (each linked to the one before and
 * after it), `total` (everyone to everyone).
 */
export function topology(kind: string, nodes: readonly string[]): Topology {
  const side = Math.ceil(Math.sqrt(nodes.length));
  const linked = (i: number, j: number): boolean => {
    if (kind === 'total') return true;
    if (kind === 'line') return Math.abs(i - j) === 1;
    const [ri, ci, rj, cj] = [Math.floor(i / side), i % side, Math.floor(j / side), j % side];
    return Math.abs(ri - rj) + Math.abs(ci - cj) === 1;
  };
  return Object.fromEntries(nodes.map((n, i) => [n, nodes.filter((m, j) => j !== i && linked(i, j))]));
}

export const broadcast: WorkloadDef = {
  name: 'broadcast',
  description:
    "broadcast unique values and read them back through every node (Maelstrom's broadcast; the topology is sent first); " +
    'checked that every acknowledged value reaches every node by the final reads, with stale reads and stable latency (and stats)',
  options: {
    topology: { describe: "the topology each node is told at start (Maelstrom's `topology` message)", default: 'grid', choices: TOPOLOGIES },
  },
  build(ctx) {
    const value = topology(String(ctx.options['topology']), ctx.nodes);
    const read = repeat((): Invocation => ({ f: 'read', value: null }));
    const finalRead = timeLimit(FINAL_READS_MS, untilOk(repeat((): Invocation => ({ f: 'final-read', value: null }))));
    return {
      setup: timeLimit(FINAL_READS_MS, untilOk(repeat((): Invocation => ({ f: 'topology', value })))),
      generator: mix([uniqueElements('broadcast'), read]),
      // Values broadcast in the main phase's last moments are still spreading when it ends.
      finalGenerator: seq(sleep(CONVERGE_MS), finalRead),
      checkers: { broadcast: broadcastChecker(), stats: stats() },
    };
  },
};
