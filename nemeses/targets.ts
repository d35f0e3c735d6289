/**
 * Who a fault hits: one node, a minority, a majority, every node, or the primary (Jepsen's
 * `:one :minority :majority :all :primary`). Process nemeses (and the clock nemesis, for the
 * primary) share this so that "minority" means the same thing for kill, restart and pause.
 * Everything except the primary is made concrete when
 * the schedule is built, so a seed replays the same victims; the primary is only known when the
 * fault runs, so its entry carries a fallback node drawn at schedule time (still reproducible).
 */
import type { Cluster } from '../src/api/cluster.js';
import type { Rng } from '../src/gen/rng.js';

/** How victims are chosen. */
export type TargetKind = 'one' | 'minority' | 'majority' | 'all' | 'primary';

const KINDS: readonly TargetKind[] = ['one', 'minority', 'majority', 'all', 'primary'];

/** A fault's victims, as written in a schedule entry's value. */
export interface Targets {
  target: TargetKind;
  /** The victims; for `primary`, the one node to hit when the primary is not known. */
  nodes: string[];
}

/** Victims resolved at run time, with a few words saying who they are and why. */
export interface ResolvedTargets {
  nodes: string[];
  /** e.g. `n2, n4 (minority)`, `n3 (primary)`, `n1 (no primary known)`. */
  label: string;
}

/** The largest strict minority of `n` nodes. */
export function minoritySize(n: number): number {
  return Math.floor((n - 1) / 2);
}

/** The smallest majority of `n` nodes. */
export function majoritySize(n: number): number {
  return Math.floor(n / 2) + 1;
}

/** How many nodes a fault of `kind` hits in a cluster of `n` (the primary is one node). */
export function targetSize(kind: TargetKind, n: number): number {
  switch (kind) {
    case 'minority':
      return minoritySize(n);
    case 'majority':
      return majoritySize(n);
    case 'all':
      return n;
    default:
      return 1;
  }
}

/**
 * The kinds among `allowed` that mean something for `n` nodes: none without nodes; `minority`
 * only when it is more than one node (otherwise it is `one`); `majority` from two nodes; `all`
 * only when it is more than a majority (from three nodes; otherwise it is `majority` or `one`).
 */
export function kindsFor(n: number, allowed: readonly TargetKind[]): TargetKind[] {
  if (n < 1) return [];
  return allowed.filter((kind) => {
    if (kind === 'minority') return minoritySize(n) >= 2;
    if (kind === 'majority') return n >= 2;
    if (kind === 'all') return n > majoritySize(n);
    return true;
  });
}

/** Keep `chosen` in the cluster's own order, so `n2, n4` reads the same every time. */
function inClusterOrder(nodes: readonly string[], chosen: readonly string[]): string[] {
  const set = new Set(chosen);
  return nodes.filter((node) => set.has(node));
}

/** Draw victims of one of the `allowed` kinds; `undefined` when no kind fits the cluster. */
export function chooseTargets(allowed: readonly TargetKind[], nodes: readonly string[], rng: Rng): Targets | undefined {
  const kinds = kindsFor(nodes.length, allowed);
  if (kinds.length === 0) return undefined;
  const target = rng.pick(kinds);
  return { target, nodes: inClusterOrder(nodes, rng.shuffle(nodes).slice(0, targetSize(target, nodes.length))) };
}

/** Check an operation's value against the cluster's `nodes` (schedules may be written by hand). */
export function parseTargets(f: string, value: unknown, nodes: readonly string[]): Targets {
  const v = (value ?? {}) as Partial<Targets>;
  const victims = Array.isArray(v.nodes) ? v.nodes : undefined;
  if (!KINDS.includes(v.target as TargetKind) || !victims || victims.length === 0) {
    throw new Error(`${f} needs {target: ${KINDS.join('|')}, nodes: [...]}, got ${JSON.stringify(value)}`);
  }
  const unknown = victims.filter((node) => typeof node !== 'string' || !nodes.includes(node));
  if (unknown.length > 0) throw new Error(`${f}: no node named ${unknown.join(', ')} in this cluster (${nodes.join(', ')})`);
  if (v.target === 'all' && new Set(victims).size !== nodes.length) {
    throw new Error(`${f}: target all names every node (${nodes.join(', ')}), got ${victims.join(', ')}`);
  }
  return { target: v.target as TargetKind, nodes: [...new Set(victims)] };
}

/** The victims now: the primary is asked for; if it cannot be told, the fallback is used. */
export async function resolveTargets(targets: Targets, cluster: Cluster, signal: AbortSignal): Promise<ResolvedTargets> {
  if (targets.target !== 'primary') {
    return { nodes: targets.nodes, label: `${targets.nodes.join(', ')} (${targets.target})` };
  }
  const primary = await cluster.primary(signal).catch(() => undefined);
  if (primary !== undefined && cluster.nodes.includes(primary)) return { nodes: [primary], label: `${primary} (primary)` };
  return { nodes: targets.nodes, label: `${targets.nodes.join(', ')} (no primary known)` };
}
