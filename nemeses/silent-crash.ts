/**
 * The `silent-crash` nemesis: a node decides things nobody hears about, then crashes. One node is
 * muted (a one-way cut: its messages reach nobody while it still hears everyone), so the work
 * it had in flight completes on its side (answers from its peers still arrive) but whatever it
 * then tells its peers is lost; once that work has had time to finish it is killed with -9, then
 * started again, and only then is the cut healed. What the node promised its clients while muted
 * must survive its crash: a peer that learns the outcome of that work from the restarted node
 * learns what the node remembered from its disk.
 *
 * Aimed at coordinators (two-phase commit: a coordinator that decided commit but could not tell
 * its participants, then lost its decision in a crash), leaders that acknowledged writes they
 * could not replicate, and any protocol where one node's decision is the truth others wait for;
 * a correct system stays valid under it. It shapes the network with a partition, so it is not
 * meant to run together with the `partition` nemesis (either one's heal lifts the other's cut).
 *
 * Operations: `start-silent-crash` `{node}` mutes the node; `kill-silent-crash` kills it;
 * `stop-silent-crash` starts it again and heals the cut.
 */
import type { Nemesis, NemesisContext, NemesisDef, ScheduleEntry, ScheduleOptions } from '../src/api/nemesis.js';
import { oneWay } from '../src/net/grudge.js';
import { faultWindows } from './cadence.js';

/** How long the node stays muted before it is killed: long enough for its in-flight work to finish. */
export const MUTED_BEFORE_KILL_MS = 1500;
/** How long it stays down before it is started again (and the cut healed). */
export const DOWN_MS = 500;

const NAME = 'silent-crash';
const [START, KILL, STOP] = [`start-${NAME}`, `kill-${NAME}`, `stop-${NAME}`];

function parseStart(value: unknown, nodes: readonly string[]): string {
  const node = (value as { node?: unknown } | null)?.node;
  if (typeof node !== 'string' || !nodes.includes(node)) throw new Error(`${START} needs {node: one of ${nodes.join(', ')}}, got ${JSON.stringify(value)}`);
  return node;
}

function build(): Nemesis {
  /** The muted node, and whether it is down. */
  let muted: string | undefined;
  let killed = false;

  async function heal(ctx: NemesisContext): Promise<{ text: string }> {
    const node = muted;
    if (node === undefined) return { text: 'nothing to undo' };
    if (killed) await ctx.cluster.start(node);
    await ctx.net.partition({});
    const text = `${killed ? `restart ${node}, ` : ''}heal`;
    muted = undefined;
    killed = false;
    return { text };
  }

  return {
    fs: [START, KILL, STOP],
    async invoke(op, ctx) {
      if (op.f === START) {
        const node = parseStart(op.value, ctx.cluster.nodes);
        if (muted !== undefined) await heal(ctx);
        await ctx.net.partition(oneWay(node, ctx.cluster.nodes.filter((n) => n !== node)));
        muted = node;
        return { node, text: `mute ${node}: its messages reach nobody, it hears everyone` };
      }
      if (op.f === KILL) {
        if (muted === undefined) return { text: 'nothing muted to kill' };
        await ctx.cluster.kill(muted);
        killed = true;
        return { node: muted, text: `kill ${muted} while muted` };
      }
      if (op.f === STOP) return heal(ctx);
      throw new Error(`${NAME} nemesis cannot ${op.f}`);
    },
    async heal(ctx) {
      await heal(ctx);
    },
  };
}

/** Mute a node drawn by the seed, kill it MUTED_BEFORE_KILL_MS later, start it and heal DOWN_MS after that. */
function schedule(opts: ScheduleOptions): ScheduleEntry[] {
  return faultWindows(
    opts,
    ({ startMs, endMs }, rng) => {
      if (opts.nodes.length < 2) return [];
      const node = rng.pick(opts.nodes);
      return [
        { atMs: startMs, f: START, value: { node } },
        { atMs: startMs + MUTED_BEFORE_KILL_MS, f: KILL },
        { atMs: Math.max(endMs, startMs + MUTED_BEFORE_KILL_MS + DOWN_MS), f: STOP },
      ];
    },
    MUTED_BEFORE_KILL_MS + DOWN_MS,
  );
}

export const silentCrash: NemesisDef = {
  name: NAME,
  description: 'Mute one node (its messages reach nobody, it hears everyone), kill -9 it while muted, start it again, then heal',
  build,
  schedule,
  validate(op, nodes) {
    if (op.f === START) parseStart(op.value, nodes);
  },
  drawStart: (nodes, rng) => (nodes.length < 2 ? undefined : { node: rng.pick(nodes) }),
};
