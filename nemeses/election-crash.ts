/**
 * The `election-crash` nemesis: a fault aimed at the moment just after an election, which a
 * random schedule almost never meets (Jepsen's targeted faults). A node that granted its vote
 * but has not yet stored anything from the leader it elected holds that vote only in what it
 * wrote to disk; crash it then and a system that did not persist the vote lets it vote again in
 * the same term, so two leaders share a term. This nemesis makes that moment and strikes in it:
 *
 * 1. slow every node link by `SLOW_LINK_MS`, so an election and a new leader's first append take
 *    long enough to strike between them, then kill -9 the primary, so that an election follows;
 * 2. ask for the primary every few milliseconds, several asks in flight, until another node is
 *    primary (at most `ELECTION_WAIT_MS`);
 * 3. at once cut the new primary off (the ones cut before stay cut) and kill -9 every node not
 *    cut off, then start them all again (data kept): they vote again from what is on their disks
 *    while the primary cut off still believes it leads and takes writes from its clients;
 * 4. repeat 2-3 while the nodes not cut off would still be a majority after the next cut; the
 *    primary they elect last serves for `SERVE_MS`;
 * 5. make the last primary cut off the hub of a star (it hears everyone, no one else hears
 *    anyone but it): it reaches every node again while the last primary reaches only it. When the
 *    two share a term (the bug), the hub takes the last primary's entries as matching its own at
 *    the same log positions and, elected again, serves from its own: two leaders of one term
 *    both serve clients. The star stays `STAR_MS`.
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
import { isolate, star, union } from '../src/net/grudge.js';
import { faultWindows, startStop } from './cadence.js';
import { clearLayer, nodeLinks, setLayer } from './link-shapes.js';
import { startStopNemesis, validateStart } from './start-stop.js';
import { watchPrimary } from './watch-primary.js';

/** How long the fault waits for each election. */
export const ELECTION_WAIT_MS = 3000;
/**
 * Extra delay on every node link while the fault is in force: an election then takes a few
 * round trips of this, and a new leader's first append this long to land, time enough to cut it
 * off and crash its voters before they store anything from it.
 */
export const SLOW_LINK_MS = 100;
/**
 * How long the primary elected last serves before the star: long enough to acknowledge writes at
 * the log positions where the hub holds entries of its own from its short reign.
 */
export const SERVE_MS = 600;
/**
 * How long the star stays before `start-election-crash` returns (the schedule's stop usually
 * follows at once, the whole sequence outlasting its window): long enough for the last primary,
 * which reaches only the hub, to step down and for the hub to be elected in its place.
 */
export const STAR_MS = 5000;
/** A fault window lasts at least this long: the elections and restarts usually fit. */
const MIN_WINDOW_MS = 1500;

/** One round of the fault: the primary cut off, how soon it was seen (ms after the previous step), the nodes crashed then. */
export interface ElectionCrashRound {
  cut: string;
  afterMs: number;
  crashed: string[];
}

/** What `start-election-crash` records (`others` and `inForce`: cuts of other layers in force at its end). */
export interface ElectionCrashDone extends OtherCuts {
  /** The primary killed to start the election. */
  killed?: string;
  rounds?: ElectionCrashRound[];
  /** The primary elected last, left to serve. */
  serving?: string;
  /** The last primary cut off, made the hub of a star. */
  hub?: string;
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

function describeRounds(killed: string, rounds: readonly ElectionCrashRound[], serving: string | undefined): string {
  const parts = [`slow links by ${SLOW_LINK_MS} ms, kill the primary ${killed}`];
  for (const r of rounds) parts.push(`${r.cut} elected after ${r.afterMs} ms: cut it off, crash and restart ${r.crashed.join(', ')}`);
  parts.push(serving !== undefined ? `${serving} elected` : `no other primary within ${ELECTION_WAIT_MS} ms`);
  const hub = rounds.at(-1)?.cut;
  if (hub !== undefined) parts.push(`${hub} the hub of a star`);
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

  async function undo(ctx: NemesisContext): Promise<string[]> {
    const undone: string[] = [];
    if (cut) {
      const others = othersInForce(await clearCutLayer(ctx.net, NAME), ctx.cluster.nodes, 'heal');
      cut = false;
      undone.push(`heal the partition${others.clause}`);
    }
    if (slowed) {
      await clearLayer(ctx.net, NAME);
      slowed = false;
      undone.push('restore link speed');
    }
    return undone;
  }

  async function start(value: unknown, ctx: NemesisContext): Promise<ElectionCrashDone> {
    parse(value);
    const { cluster, net, signal } = ctx;
    const nodes = cluster.nodes;
    const killed = await cluster.primary(signal).catch(() => undefined);
    if (killed === undefined || !cluster.isRunning(killed)) return { text: 'no primary known: nothing done' };
    slowed = true;
    await setLayer(net, NAME, { latencyMs: SLOW_LINK_MS }, nodeLinks(nodes));
    await crash(cluster, [killed]);
    const majority = Math.floor(nodes.length / 2) + 1;
    const rounds: ElectionCrashRound[] = [];
    const cutOff = (): string[] => rounds.map((r) => r.cut);
    /** What the layers held after this fault's last cut. */
    let inForce: CutsInForce | undefined;
    const cutLayer = async (grudge: Grudge): Promise<void> => {
      inForce = await setCutLayer(net, NAME, grudge);
    };
    let t0 = performance.now();
    let leader = await watchPrimary(cluster, signal, ELECTION_WAIT_MS, (p) => p !== killed);
    // Cut each new primary off while the nodes left would still elect another.
    while (leader !== undefined && nodes.length - rounds.length - 1 >= majority) {
      const afterMs = Math.round(performance.now() - t0);
      const crashed = nodes.filter((n) => n !== leader && !cutOff().includes(n) && cluster.isRunning(n));
      rounds.push({ cut: leader, afterMs, crashed });
      cut = true;
      await Promise.all([cutLayer(union(...cutOff().map((n) => isolate(nodes, n)))), crash(cluster, crashed)]);
      await bringBack(cluster);
      t0 = performance.now();
      leader = await watchPrimary(cluster, signal, ELECTION_WAIT_MS, (p) => !cutOff().includes(p));
    }
    if (rounds.length === 0) await bringBack(cluster);
    const hub = cutOff().at(-1);
    if (hub !== undefined) {
      if (leader !== undefined) await abortableSleep(SERVE_MS, signal);
      await cutLayer(star(nodes, hub));
      await abortableSleep(STAR_MS, signal);
    }
    const others = othersInForce(inForce, nodes, 'cut');
    return { killed, rounds, ...(leader !== undefined && { serving: leader }), ...(hub !== undefined && { hub }), ...others.value, text: describeRounds(killed, rounds, leader) + others.clause };
  }

  async function stop(ctx: NemesisContext): Promise<{ text: string }> {
    const restarted = [...down];
    const undone = await undo(ctx);
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
    'Slow every link by 100 ms and kill the primary; cut off each new primary the moment it is elected and crash-restart ' +
    'the others, while a majority is left; then make the last one cut off the hub of a star beside the one elected last',
  requires: ['primary', 'latency'],
  build,
  schedule: (opts: ScheduleOptions) => (opts.nodes.length < 3 ? [] : faultWindows(opts, (window) => startStop(NAME, window, AIM), MIN_WINDOW_MS)),
  validate: validateStart(NAME, parse),
  drawStart: (nodes) => (nodes.length < 3 ? undefined : AIM),
};
