/**
 * The `election-crash` nemesis: a fault aimed at the moment just after an election, which a
 * random schedule almost never meets (Jepsen's targeted faults). A node that granted its vote
 * but has not yet stored anything from the leader it elected holds that vote only in what it
 * wrote to disk; crash it then and a system that did not persist the vote lets it vote again in
 * the same term, so two leaders share a term. This nemesis makes that moment, strikes in it, and
 * then lets both leaders serve at once, so the split shows in what clients see. With n nodes and
 * a majority m:
 *
 * 1. slow every node link by `SLOW_LINK_MS`, so a new leader's first append takes that long to
 *    land; split the cluster into an idle side (the primary and the n - m - 1 nodes after it)
 *    and the m others, and kill -9 the primary, then start it again on the idle side;
 * 2. ask for the primary every few milliseconds until one of the m is primary (at most
 *    `ELECTION_WAIT_MS`): it needed every one of the m votes;
 * 3. at once keep it with m - (2m - n) of its voters and move the other 2m - n voters (the
 *    overlap) to the idle side, kill -9 them before the first append lands, restore the links'
 *    speed and start them again: with the idle nodes they are a majority, and vote again from
 *    what is on their disks;
 * 4. once that side has a primary of its own, let the overlap hear both sides (a bridge): each
 *    primary then has a majority, its own side and the overlap. When the two share a term (the
 *    bug) the overlap takes both leaders' entries as matching at the same log positions and
 *    acknowledges both, so two leaders of one term commit different writes and serve reads of
 *    their own; the bridge stays `BRIDGE_MS`. A system that stored the vote elects the second
 *    primary in a later term, and the first steps down once it hears of it.
 *
 * A correct system sees only slow links, crashes and partitions. The whole sequence runs inside
 * `start-election-crash` (a few seconds), so the schedule's next entries wait for it.
 *
 * Operations: `start-election-crash` `{target: 'primary'}` → the sequence above;
 * `stop-election-crash` → heal the partition, restore the links' speed and start any node the
 * fault left down. Its cuts and its slow links are layers of their own (src/net/cut-layers.ts,
 * ./link-shapes.ts): other nemeses' cuts and shapes stay in force through it, and its stop lifts
 * only its own.
 */
import { performance } from 'node:perf_hooks';
import type { Cluster } from '../src/api/cluster.js';
import type { NemesisContext, NemesisDef, ScheduleOptions } from '../src/api/nemesis.js';
import { abortableSleep } from '../src/abortable-sleep.js';
import type { Grudge } from '../src/api/net.js';
import { clearCutLayer, othersInForce, setCutLayer, type CutsInForce, type OtherCuts } from '../src/net/cut-layers.js';
import { complete } from '../src/net/grudge.js';
import { faultWindows, startStop } from './cadence.js';
import { clearLayer, nodeLinks, setLayer } from './link-shapes.js';
import { startStopNemesis, validateStart } from './start-stop.js';
import { watchPrimary } from './watch-primary.js';

/** How long the fault waits for each election. */
export const ELECTION_WAIT_MS = 3000;
/**
 * Extra delay on every node link until the first election is over: the new leader's first
 * append then takes this long to land, time enough to see it lead and crash its voters first.
 */
export const SLOW_LINK_MS = 100;
/**
 * How long the bridge stays before `start-election-crash` returns (the schedule's stop usually
 * follows at once, the whole sequence outlasting its window): long enough for the clients of two
 * leaders of one term to see each other's writes missing (in the runs measured, within a second
 * of the second election), short enough to leave room for more fault windows in a run, since
 * the first primary often steps down before the second is elected.
 */
export const BRIDGE_MS = 2500;
/** A fault window lasts at least this long: the elections and restarts usually fit. */
const MIN_WINDOW_MS = 1500;

/** What `start-election-crash` records (`others` and `inForce`: cuts of other layers in force at its end). */
export interface ElectionCrashDone extends OtherCuts {
  /** The primary killed to start the election. */
  killed?: string;
  /** The nodes split off with it, which took no part in the first election. */
  idle?: string[];
  /** The primary the other nodes elected, and how soon it was seen (ms after the kill). */
  first?: string;
  firstAfterMs?: number;
  /** Its voters crashed and restarted on the idle side, which bridge the two sides at the end. */
  overlap?: string[];
  /** The primary the idle side and the overlap elected, and how soon (ms after the crash). */
  second?: string;
  secondAfterMs?: number;
  text: string;
}

/** The nemesis's name, and the name of its layers of cuts and of link shapes. */
const NAME = 'election-crash';

/** The one value of `start-election-crash`: it aims at the primary, found when it runs. */
const AIM = { target: 'primary' } as const;

function parse(value: unknown): typeof AIM {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || JSON.stringify(value) !== JSON.stringify(AIM)) {
    throw new Error(`start-election-crash takes ${JSON.stringify(AIM)}, got ${JSON.stringify(value)}`);
  }
  return AIM;
}

/** `count` nodes of `among` in cluster order, starting after `from` and wrapping around. */
export function nodesAfter(nodes: readonly string[], from: string, count: number, among: readonly string[] = nodes): string[] {
  const start = nodes.indexOf(from);
  const rotated = [...nodes.slice(start + 1), ...nodes.slice(0, start + 1)];
  return rotated.filter((n) => n !== from && among.includes(n)).slice(0, count);
}

/** The sides of the fault for `nodes` when `primary` leads: who idles through the first election, who votes in it. */
export function electionSides(nodes: readonly string[], primary: string): { idle: string[]; voters: string[] } {
  const majority = Math.floor(nodes.length / 2) + 1;
  const idle = [primary, ...nodesAfter(nodes, primary, nodes.length - majority - 1)];
  return { idle, voters: nodes.filter((n) => !idle.includes(n)) };
}

/** Of the first primary's voters, those crashed to vote again: just enough to make the idle side a majority. */
export function overlapOf(nodes: readonly string[], voters: readonly string[], first: string): string[] {
  const majority = Math.floor(nodes.length / 2) + 1;
  return nodesAfter(nodes, first, 2 * majority - nodes.length, voters);
}

function describe(done: Omit<ElectionCrashDone, 'text'>): string {
  const parts = [`slow links by ${SLOW_LINK_MS} ms, split off ${done.idle!.join(', ')} and kill the primary ${done.killed}`];
  if (done.first === undefined) return [...parts, `no other primary within ${ELECTION_WAIT_MS} ms`].join('; ');
  parts.push(`${done.first} elected after ${done.firstAfterMs} ms: crash and restart ${done.overlap!.join(', ')} on the other side`);
  if (done.second === undefined) return [...parts, `no primary there within ${ELECTION_WAIT_MS} ms`].join('; ');
  parts.push(`${done.second} elected after ${done.secondAfterMs} ms`, `${done.overlap!.join(', ')} bridge the two sides`);
  return parts.join('; ');
}

function build() {
  /** Nodes this fault killed and has not started again. */
  const down = new Set<string>();
  let cut = false;
  let slowed = false;

  async function bringBack(cluster: Cluster): Promise<void> {
    await Promise.all([...down].map(async (node) => {
      await cluster.start(node);
      down.delete(node);
    }));
  }

  async function crash(cluster: Cluster, nodes: readonly string[]): Promise<void> {
    await Promise.all(nodes.map(async (node) => {
      down.add(node);
      await cluster.kill(node);
    }));
  }

  async function restoreSpeed(ctx: NemesisContext): Promise<boolean> {
    if (!slowed) return false;
    await clearLayer(ctx.net, NAME);
    slowed = false;
    return true;
  }

  async function start(value: unknown, ctx: NemesisContext): Promise<ElectionCrashDone> {
    parse(value);
    const { cluster, net, signal } = ctx;
    const nodes = cluster.nodes;
    const killed = await cluster.primary(signal).catch(() => undefined);
    if (killed === undefined || !cluster.isRunning(killed)) return { text: 'no primary known: nothing done' };
    const { idle, voters } = electionSides(nodes, killed);
    const done: Omit<ElectionCrashDone, 'text'> = { killed, idle };
    /** What the layers held after this fault's last cut. */
    let inForce: CutsInForce | undefined;
    const cutLayer = async (grudge: Grudge): Promise<void> => {
      inForce = await setCutLayer(net, NAME, grudge);
    };
    const finish = (): ElectionCrashDone => {
      const others = othersInForce(inForce, nodes, 'cut');
      return { ...done, ...others.value, text: describe(done) + others.clause };
    };
    slowed = true;
    await setLayer(net, NAME, { latencyMs: SLOW_LINK_MS }, nodeLinks(nodes));
    cut = true;
    let t0 = performance.now();
    await Promise.all([cutLayer(complete([voters, idle])), crash(cluster, [killed])]);
    // The killed primary starts again while the others elect: a start can take longer than an
    // election, and the new primary must be seen before its first append lands.
    const idleBack = bringBack(cluster);
    const first = await watchPrimary(cluster, signal, ELECTION_WAIT_MS, (p) => voters.includes(p));
    if (first === undefined) {
      await idleBack;
      return finish();
    }
    done.first = first;
    done.firstAfterMs = Math.round(performance.now() - t0);
    const overlap = overlapOf(nodes, voters, first);
    const side = voters.filter((n) => !overlap.includes(n));
    done.overlap = overlap;
    // The cut must be in force before the first append reaches the overlap: cutting drops it.
    await Promise.all([cutLayer(complete([side, [...idle, ...overlap]])), crash(cluster, overlap)]);
    t0 = performance.now();
    // The first primary steps down once it has been in a minority too long (check-quorum): start
    // the overlap again at once, the second election has to be over before then.
    await Promise.all([restoreSpeed(ctx), bringBack(cluster), idleBack]);
    const second = await watchPrimary(cluster, signal, ELECTION_WAIT_MS, (p) => !side.includes(p));
    if (second === undefined) return finish();
    done.second = second;
    done.secondAfterMs = Math.round(performance.now() - t0);
    await cutLayer(complete([side, idle]));
    await abortableSleep(BRIDGE_MS, signal);
    return finish();
  }

  async function stop(ctx: NemesisContext): Promise<{ text: string }> {
    const restarted = [...down];
    const undone: string[] = [];
    if (cut) {
      const others = othersInForce(await clearCutLayer(ctx.net, NAME), ctx.cluster.nodes, 'heal');
      cut = false;
      undone.push(`heal the partition${others.clause}`);
    }
    if (await restoreSpeed(ctx)) undone.push('restore link speed');
    await bringBack(ctx.cluster);
    if (restarted.length > 0) undone.push(`restart ${restarted.join(', ')}`);
    return { text: undone.join('; ') || 'nothing to undo' };
  }

  return startStopNemesis(NAME, { start, stop });
}

/** The `election-crash` nemesis. */
export const electionCrash: NemesisDef = {
  name: NAME,
  description:
    'Slow every link by 100 ms, split off the primary with the nodes after it and kill it; once the others elect a primary, ' +
    'crash-restart just enough of its voters to give the split-off side a majority; once that side elects its own, ' +
    'let the crashed voters bridge both sides',
  requires: ['primary', 'latency'],
  build,
  schedule: (opts: ScheduleOptions) => (opts.nodes.length < 3 ? [] : faultWindows(opts, (window) => startStop(NAME, window, AIM), MIN_WINDOW_MS)),
  validate: validateStart(NAME, parse),
  drawStart: (nodes) => (nodes.length < 3 ? undefined : AIM),
};
