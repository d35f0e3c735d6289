/**
 * The shape shared by kill, restart and pause: `start-<name>` does something to some nodes
 * (chosen by ./targets.ts), `stop-<name>` undoes it on exactly those nodes, `heal` does the same
 * and may run any number of times. Each of those nemeses is then only its two actions and
 * its words; the bookkeeping of what is in force lives here once.
 */
import type { Cluster } from '../src/api/cluster.js';
import type { Nemesis, NemesisContext, NemesisDef, ScheduleEntry, ScheduleOptions } from '../src/api/nemesis.js';
import { faultWindows, startStop } from './cadence.js';
import { chooseTargets, parseTargets, resolveTargets, type TargetKind } from './targets.js';
import { startStopNemesis, validateStart } from './start-stop.js';

/**
 * How long a fault on every node (target `all`) lasts at most. With the whole cluster down the
 * workload only fails; what such a fault tests is what survives the restart, and a short
 * blackout lets the workload still be reading the keys it wrote just before when the cluster is
 * back (the register workload moves to fresh keys every few seconds).
 */
export const ALL_DOWN_MS = 1000;

/** What a node fault nemesis is made of. */
export interface NodeFaultSpec {
  /** Nemesis name; its operations are `start-<name>` and `stop-<name>`. */
  name: string;
  description: string;
  /** Target kinds the schedule draws from. */
  kinds: readonly TargetKind[];
  /** The fault on one running node, e.g. kill -9. */
  apply(cluster: Cluster, node: string): Promise<void>;
  /** Undo it, e.g. start again. */
  undo(cluster: Cluster, node: string): Promise<void>;
  /** Words for the result texts: `kill` / `restart`, as in `kill n2 (one)`, `restart n2`. */
  words: { apply: string; undo: string };
}

/** What `start-<name>` records. */
export interface NodeFaultDone {
  target: TargetKind;
  /** The nodes the fault was applied to. */
  nodes: string[];
  /** Chosen nodes left alone because they were not running (another fault has them). */
  skipped?: string[];
  text: string;
}

/** What `stop-<name>` records. */
export interface NodeFaultUndone {
  nodes: string[];
  text: string;
}

/** Run `act` on every node at once; the nodes it worked on, and one message for the others. */
async function onEach(nodes: readonly string[], act: (node: string) => Promise<void>): Promise<{ ok: string[]; error?: string }> {
  const results = await Promise.allSettled(nodes.map(act));
  const ok = nodes.filter((_, i) => results[i]?.status === 'fulfilled');
  const errors = results.flatMap((r, i) => (r.status === 'rejected' ? [`${nodes[i]}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`] : []));
  return errors.length > 0 ? { ok, error: errors.join('; ') } : { ok };
}

/** The nemesis object for one run: remembers which nodes it holds down. */
function buildNodeFault(spec: NodeFaultSpec): Nemesis {
  const held = new Set<string>();
  const startF = `start-${spec.name}`;

  async function start(value: unknown, ctx: NemesisContext): Promise<NodeFaultDone> {
    const targets = parseTargets(startF, value, ctx.cluster.nodes);
    const { nodes, label } = await resolveTargets(targets, ctx.cluster, ctx.signal);
    const running = nodes.filter((node) => ctx.cluster.isRunning(node) && !held.has(node));
    const skipped = nodes.filter((node) => !running.includes(node));
    const { ok, error } = await onEach(running, (node) => spec.apply(ctx.cluster, node));
    for (const node of ok) held.add(node);
    if (error) throw new Error(`${spec.words.apply} failed on ${error}`);
    const note = skipped.length > 0 ? `; ${skipped.join(', ')} not running, left alone` : '';
    return {
      target: targets.target,
      nodes: ok,
      ...(skipped.length > 0 && { skipped }),
      text: `${spec.words.apply} ${label}${note}`,
    };
  }

  async function stop(ctx: NemesisContext): Promise<NodeFaultUndone> {
    const nodes = ctx.cluster.nodes.filter((node) => held.has(node));
    const { ok, error } = await onEach(nodes, (node) => spec.undo(ctx.cluster, node));
    for (const node of ok) held.delete(node);
    if (error) throw new Error(`${spec.words.undo} failed on ${error}`);
    return { nodes: ok, text: ok.length > 0 ? `${spec.words.undo} ${ok.join(', ')}` : 'nothing to undo' };
  }

  return startStopNemesis(spec.name, { start, stop });
}

/**
 * A nemesis that applies `spec` to victims drawn by the seed, one fault window at a time
 * (never two faults of this nemesis at once), everything undone before the main phase ends.
 */
export function nodeFault(spec: NodeFaultSpec): NemesisDef {
  return {
    name: spec.name,
    description: spec.description,
    build: () => buildNodeFault(spec),
    validate: validateStart(spec.name, (value, nodes) => parseTargets(`start-${spec.name}`, value, nodes)),
    drawStart: (nodes, rng) => chooseTargets(spec.kinds, nodes, rng),
    schedule(opts: ScheduleOptions): ScheduleEntry[] {
      return faultWindows(opts, (window, rng) => {
        const targets = chooseTargets(spec.kinds, opts.nodes, rng);
        if (!targets) return [];
        const endMs = targets.target === 'all' ? Math.min(window.endMs, window.startMs + ALL_DOWN_MS) : window.endMs;
        return startStop(spec.name, { ...window, endMs }, targets);
      });
    },
  };
}
