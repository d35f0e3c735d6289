/**
 * The `rolling-restart` nemesis: stop and start every node in turn, with a pause between nodes,
 * as an operator upgrading a cluster does. A correct system stays available throughout, since
 * at most one node is down at a time. The order and the pause come from the seed.
 *
 * Operations:
 * - `start-rolling-restart` `{nodes: [order], gapMs}` → begin the walk: for each node, graceful
 *   stop, start (data kept), wait `gapMs`. The walk runs in the background: the runner plays
 *   entries one after another, so a walk of several seconds inside one operation would hold up
 *   every other nemesis's faults.
 * - `stop-rolling-restart` → end the walk: the node being restarted is started, the rest are
 *   skipped; records which nodes were restarted. The schedule leaves the walk a second per node
 *   besides its pauses, so it normally has finished by then.
 * A node another nemesis holds down when the walk reaches it is left alone.
 */
import type { Cluster } from '../src/api/cluster.js';
import type { Nemesis, NemesisContext, NemesisDef, ScheduleEntry, ScheduleOptions } from '../src/api/nemesis.js';
import { abortableSleep } from '../src/abortable-sleep.js';
import type { Rng } from '../src/gen/rng.js';
import { faultWindows, startStop, type FaultWindow } from './cadence.js';
import { validateStart } from './start-stop.js';

/** The value of a `start-rolling-restart` operation. */
export interface RollingRestart {
  /** Nodes in the order they are restarted. */
  nodes: string[];
  /** Pause after each node is back, before the next one goes down. */
  gapMs: number;
}

/** How a walk went. */
interface Walked {
  restarted: string[];
  skipped: string[];
  /** Nodes not reached because the walk was ended. */
  cut: string[];
  error?: unknown;
}

/** Shortest pause between two nodes. */
const MIN_GAP_MS = 100;
/** Time allowed for one node's graceful stop and start (a Raft node takes about 0.7 s here). */
const RESTART_ALLOWANCE_MS = 1000;

function parse(value: unknown, nodes: readonly string[]): RollingRestart {
  const v = (value ?? {}) as Partial<RollingRestart>;
  const order = Array.isArray(v.nodes) ? v.nodes : [];
  const gapOk = typeof v.gapMs === 'number' && Number.isFinite(v.gapMs) && v.gapMs >= 0;
  if (order.length === 0 || !gapOk || order.some((n) => !nodes.includes(n as string))) {
    throw new Error(`start-rolling-restart needs {nodes: [nodes of ${nodes.join(', ')}], gapMs >= 0}, got ${JSON.stringify(value)}`);
  }
  return { nodes: order, gapMs: v.gapMs as number };
}

/**
 * Restart `nodes` in turn until done or `signal` aborts; a node it stopped is started again at
 * once, and stays in `down` until that worked.
 */
async function walk(cluster: Cluster, { nodes, gapMs }: RollingRestart, signal: AbortSignal, down: Set<string>): Promise<Walked> {
  const done: Walked = { restarted: [], skipped: [], cut: [] };
  try {
    for (const [i, node] of nodes.entries()) {
      if (i > 0) await abortableSleep(gapMs, signal);
      if (signal.aborted) {
        done.cut = nodes.slice(i);
        break;
      }
      if (!cluster.isRunning(node)) {
        done.skipped.push(node);
        continue;
      }
      down.add(node);
      try {
        await cluster.stop(node);
      } finally {
        await cluster.start(node);
      }
      down.delete(node);
      done.restarted.push(node);
    }
  } catch (err) {
    done.error = err;
  }
  return done;
}

function describeWalk({ restarted, skipped, cut }: Walked): string {
  const parts = [`restarted ${restarted.join(', ') || 'nothing'} in turn`];
  if (skipped.length > 0) parts.push(`${skipped.join(', ')} not running, left alone`);
  if (cut.length > 0) parts.push(`walk ended before ${cut.join(', ')}`);
  return parts.join('; ');
}

/** The nemesis object for one run: remembers the walk in progress and any node it left down. */
function build(): Nemesis {
  let current: { abort: AbortController; done: Promise<Walked> } | undefined;
  const down = new Set<string>();

  async function end(): Promise<{ nodes: string[]; skipped?: string[]; text: string }> {
    const walking = current;
    current = undefined;
    if (!walking) return { nodes: [], text: 'no rolling restart in progress' };
    walking.abort.abort();
    const done = await walking.done;
    if (done.error !== undefined) throw done.error;
    return { nodes: done.restarted, ...(done.skipped.length > 0 && { skipped: done.skipped }), text: describeWalk(done) };
  }

  async function start(value: unknown, ctx: NemesisContext): Promise<RollingRestart & { text: string }> {
    const plan = parse(value, ctx.cluster.nodes);
    if (current) await end();
    const abort = new AbortController();
    current = { abort, done: walk(ctx.cluster, plan, abort.signal, down) };
    return { ...plan, text: `restart ${plan.nodes.join(', ')} in turn, ${plan.gapMs} ms apart` };
  }

  return {
    fs: ['start-rolling-restart', 'stop-rolling-restart'],
    async invoke(op, ctx) {
      if (op.f === 'start-rolling-restart') return start(op.value, ctx);
      if (op.f === 'stop-rolling-restart') return end();
      throw new Error(`rolling-restart nemesis cannot ${op.f}`);
    },
    async heal(ctx) {
      try {
        await end();
      } finally {
        for (const node of [...down]) {
          await ctx.cluster.start(node);
          down.delete(node);
        }
      }
    },
  };
}

/**
 * One walk per fault window. A window lasts at least a restart allowance per node plus the
 * shortest pauses, and the pauses fill at most half of it, so a walk normally ends in time.
 */
function schedule(opts: ScheduleOptions): ScheduleEntry[] {
  const n = opts.nodes.length;
  if (n === 0) return [];
  const fill = (window: FaultWindow, rng: Rng): ScheduleEntry[] => {
    const lengthMs = window.endMs - window.startMs;
    const gapMs = Math.max(MIN_GAP_MS, Math.round(Math.min(lengthMs / 2, lengthMs - n * RESTART_ALLOWANCE_MS) / n));
    return startStop('rolling-restart', window, { nodes: rng.shuffle(opts.nodes), gapMs } satisfies RollingRestart);
  };
  return faultWindows(opts, fill, n * (RESTART_ALLOWANCE_MS + MIN_GAP_MS));
}

/** The `rolling-restart` nemesis. */
export const rollingRestart: NemesisDef = {
  name: 'rolling-restart',
  description: 'Restart every node in turn (graceful stop, start, pause), as an operator upgrade does',
  build,
  schedule,
  validate: validateStart('rolling-restart', parse),
};
