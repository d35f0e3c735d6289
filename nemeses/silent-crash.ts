/**
 * The `silent-crash` nemesis: a node decides things nobody hears about, then crashes. One node is
 * muted (a one-way cut: its messages reach nobody while it still hears everyone), so the work
 * it had in flight completes on its side (answers from its peers still arrive) but whatever it
 * then tells its peers is lost; at the end of the fault (at least MUTED_BEFORE_KILL_MS later, time
 * for that work to finish) it is killed with -9, started again, and only then is the cut healed.
 * What the node promised its clients while muted must survive its crash: a peer that learns the
 * outcome of that work from the restarted node learns what the node remembered from its disk.
 *
 * Aimed at coordinators (two-phase commit: a coordinator that decided commit but could not tell
 * its participants, then lost its decision in a crash), leaders that acknowledged writes they
 * could not replicate, and any protocol where one node's decision is the truth others wait for;
 * a correct system stays valid under it. Its cut is a layer of its own (src/net/cut-layers.ts),
 * so it runs beside `partition` and the other partition-type nemeses: neither's heal lifts the
 * other's cut.
 *
 * The node muted is the primary, asked for when the fault runs (a leader; for txn-2pc the
 * coordinator with the most transactions collecting votes, so the mute lands while it has
 * decisions pending), or the node the seed drew when the system names none.
 *
 * Operations: `start-silent-crash` `{node, primary?}` mutes the primary (with `primary: true`,
 * `node` standing in when none is known) or `node`; `stop-silent-crash` kills it, starts
 * it again and heals the cut. A start/stop pair, like every nemesis's, so generated and shrunk
 * schedules (`--nemesis random`, `faultline shrink`) can hold it.
 */
import type { Nemesis, NemesisContext, NemesisDef, ScheduleEntry, ScheduleOptions } from '../src/api/nemesis.js';
import { clearCutLayer, othersInForce, setCutLayer, type OtherCuts } from '../src/net/cut-layers.js';
import { oneWay } from '../src/net/grudge.js';
import { faultWindows } from './cadence.js';

/** How long the node stays muted, at least, before it is killed: long enough for its in-flight work to finish. */
export const MUTED_BEFORE_KILL_MS = 1500;

const NAME = 'silent-crash';
const [START, STOP] = [`start-${NAME}`, `stop-${NAME}`];

/** The value of a `start-silent-crash`: the node to mute, or with `primary`, the stand-in used when the system names no primary. */
interface StartSilentCrash {
  node: string;
  primary?: true;
}

function parseStart(value: unknown, nodes: readonly string[]): StartSilentCrash {
  const { node, primary } = (value ?? {}) as { node?: unknown; primary?: unknown };
  if (typeof node !== 'string' || !nodes.includes(node)) throw new Error(`${START} needs {node: one of ${nodes.join(', ')}}, got ${JSON.stringify(value)}`);
  return primary === true ? { node, primary } : { node };
}

function build(): Nemesis {
  /** The muted node. */
  let muted: string | undefined;

  /** Kill the muted node, start it again, then lift the cut; `crash: false` only lifts it. */
  async function end(ctx: NemesisContext, crash: boolean): Promise<OtherCuts & { node?: string; text: string }> {
    const node = muted;
    if (node === undefined) return { text: 'nothing to undo' };
    if (crash) {
      await ctx.cluster.kill(node);
      await ctx.cluster.start(node);
    }
    const others = othersInForce(await clearCutLayer(ctx.net, NAME), ctx.cluster.nodes, 'heal');
    muted = undefined;
    return { node, ...others.value, text: (crash ? `kill ${node} while muted, start it again, heal` : 'heal') + others.clause };
  }

  return {
    fs: [START, STOP],
    async invoke(op, ctx) {
      if (op.f === START) {
        const start = parseStart(op.value, ctx.cluster.nodes);
        const primary = start.primary ? await ctx.cluster.primary(ctx.signal).catch(() => undefined) : undefined;
        const node = primary ?? start.node;
        const others = othersInForce(await setCutLayer(ctx.net, NAME, oneWay(node, ctx.cluster.nodes.filter((n) => n !== node))), ctx.cluster.nodes, 'cut');
        muted = node;
        const who = !start.primary ? node : primary !== undefined ? `${node} (primary)` : `${node} (no primary known)`;
        return { node, ...others.value, text: `mute ${who}: its messages reach nobody, it hears everyone${others.clause}` };
      }
      if (op.f === STOP) return end(ctx, true);
      throw new Error(`${NAME} nemesis cannot ${op.f}`);
    },
    async heal(ctx) {
      await end(ctx, false);
    },
  };
}

/**
 * Mute the primary (found when the fault runs: the node others wait on right now), or a node
 * drawn by the seed when the system names none, for a fault window of at least
 * MUTED_BEFORE_KILL_MS, then crash it, start it and heal.
 */
function schedule(opts: ScheduleOptions): ScheduleEntry[] {
  return faultWindows(
    opts,
    ({ startMs, endMs }, rng) => {
      if (opts.nodes.length < 2) return [];
      const node = rng.pick(opts.nodes);
      return [
        { atMs: startMs, f: START, value: { node, primary: true } satisfies StartSilentCrash },
        { atMs: Math.max(endMs, startMs + MUTED_BEFORE_KILL_MS), f: STOP },
      ];
    },
    MUTED_BEFORE_KILL_MS,
  );
}

export const silentCrash: NemesisDef = {
  name: NAME,
  description: 'Mute the primary, or one node when none is known (its messages reach nobody, it hears everyone), kill -9 it while muted, start it again, then heal',
  build,
  schedule,
  validate(op, nodes) {
    if (op.f === START) parseStart(op.value, nodes);
  },
  drawStart: (nodes, rng): StartSilentCrash | undefined => (nodes.length < 2 ? undefined : { node: rng.pick(nodes), primary: true }),
};
