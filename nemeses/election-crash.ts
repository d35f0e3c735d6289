/**
 * The `election-crash` nemesis: a fault aimed at the moment just after an election, which a
 * random schedule almost never meets (Jepsen's targeted faults). A node that granted its vote
 * but has not yet stored anything from the leader it elected holds that vote only in what it
 * wrote to disk; crash it then and a system that did not persist the vote lets it vote again in
 * the same term, so two leaders share a term. This nemesis makes that moment and strikes in it:
 *
 * 1. kill -9 the primary, so that an election follows;
 * 2. ask for the primary every few milliseconds, several asks in flight, until another node is
 *    primary (at most `ELECTION_WAIT_MS`);
 * 3. at once cut the new primary off alone and kill -9 every other node, then start them all
 *    again (the first primary too; data kept): they elect among themselves while the new primary
 *    still believes it leads and takes writes from its clients;
 * 4. as soon as a primary other than the one cut off is known (or `ELECTION_WAIT_MS` passed),
 *    heal the cut, so the two meet while both may still lead.
 * A correct system sees only crashes and a partition. The whole sequence runs inside
 * `start-election-crash` (a few seconds), so the schedule's next entries wait for it.
 *
 * Operations: `start-election-crash` `{target: 'primary'}` → the sequence above; `stop-election-crash` → heal the
 * cut if it is still in force and start any node the fault left down.
 */
import { performance } from 'node:perf_hooks';
import type { Cluster } from '../src/api/cluster.js';
import type { NemesisContext, NemesisDef, ScheduleOptions } from '../src/api/nemesis.js';
import { isolate } from '../src/net/grudge.js';
import { faultWindows, startStop } from './cadence.js';
import { startStopNemesis, validateStart } from './start-stop.js';

/** How long the fault waits for each election. */
export const ELECTION_WAIT_MS = 3000;
/** A new ask for the primary this often while an election is awaited... */
const POLL_EVERY_MS = 2;
/** ...with at most this many asks in flight: a new primary must be seen within milliseconds. */
const POLLS_IN_FLIGHT = 4;
/** A fault window lasts at least this long: two elections and a restart usually fit. */
const MIN_WINDOW_MS = 1500;

/** What `start-election-crash` records. */
export interface ElectionCrashDone {
  /** The primary killed to start the election. */
  killed?: string;
  /** The primary elected next, cut off when seen, and when (ms after the kill). */
  elected?: string;
  electedAfterMs?: number;
  /** The nodes crashed and restarted while it was cut off. */
  crashed?: string[];
  /** The primary the others elected while it was cut off. */
  next?: string;
  text: string;
}

/**
 * The first primary `wanted` accepts, asked for every `POLL_EVERY_MS` with up to
 * `POLLS_IN_FLIGHT` asks at once; `undefined` after `waitMs` or when `signal` aborts.
 */
export function watchPrimary(cluster: Pick<Cluster, 'primary'>, signal: AbortSignal, waitMs: number, wanted: (primary: string) => boolean): Promise<string | undefined> {
  return new Promise((resolve) => {
    const started = performance.now();
    let inFlight = 0;
    let done = false;
    const finish = (primary: string | undefined): void => {
      if (done) return;
      done = true;
      clearInterval(timer);
      resolve(primary);
    };
    const ask = (): void => {
      if (signal.aborted || performance.now() - started >= waitMs) return finish(undefined);
      if (inFlight >= POLLS_IN_FLIGHT) return;
      inFlight++;
      cluster
        .primary(signal)
        .then((p) => p !== undefined && wanted(p) && finish(p), () => undefined)
        .finally(() => inFlight--);
    };
    const timer = setInterval(ask, POLL_EVERY_MS);
    ask();
  });
}

/** The one value of `start-election-crash`: it aims at the primary, found when it runs. */
const AIM = { target: 'primary' } as const;

function parse(value: unknown): typeof AIM {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || JSON.stringify(value) !== JSON.stringify(AIM)) {
    throw new Error(`start-election-crash takes ${JSON.stringify(AIM)}, got ${JSON.stringify(value)}`);
  }
  return AIM;
}

function build() {
  /** Nodes this fault killed and has not started again. */
  const down = new Set<string>();
  let cut = false;

  async function bringBack(cluster: Cluster): Promise<void> {
    await Promise.all([...down].map(async (node) => {
      await cluster.start(node);
      down.delete(node);
    }));
  }

  async function healCut(ctx: NemesisContext): Promise<void> {
    if (!cut) return;
    await ctx.net.partition({});
    cut = false;
  }

  async function start(value: unknown, ctx: NemesisContext): Promise<ElectionCrashDone> {
    parse(value);
    const { cluster, signal } = ctx;
    const killed = await cluster.primary(signal).catch(() => undefined);
    if (killed === undefined || !cluster.isRunning(killed)) return { text: 'no primary known: nothing done' };
    down.add(killed);
    await cluster.kill(killed);
    const t0 = performance.now();
    const elected = await watchPrimary(cluster, signal, ELECTION_WAIT_MS, (p) => p !== killed);
    if (elected === undefined) {
      await bringBack(cluster);
      return { killed, text: `kill the primary ${killed}; no other primary within ${ELECTION_WAIT_MS} ms, so restart it` };
    }
    const electedAfterMs = Math.round(performance.now() - t0);
    const crashed = cluster.nodes.filter((n) => n !== elected && cluster.isRunning(n));
    cut = true;
    await Promise.all([
      ctx.net.partition(isolate(cluster.nodes, elected)),
      ...crashed.map(async (node) => {
        down.add(node);
        await cluster.kill(node);
      }),
    ]);
    await bringBack(cluster);
    const next = await watchPrimary(cluster, signal, ELECTION_WAIT_MS, (p) => p !== elected);
    await healCut(ctx);
    const text =
      `kill the primary ${killed}; ${elected} elected after ${electedAfterMs} ms: cut it off, crash and restart ${crashed.join(', ')} (${killed} too); ` +
      (next !== undefined ? `${next} elected, heal` : `no other primary within ${ELECTION_WAIT_MS} ms, heal`);
    return { killed, elected, electedAfterMs, crashed, ...(next !== undefined && { next }), text };
  }

  async function stop(ctx: NemesisContext): Promise<{ text: string }> {
    const wasCut = cut;
    const restarted = [...down];
    await healCut(ctx);
    await bringBack(ctx.cluster);
    const parts = [wasCut ? 'heal the cut' : '', restarted.length > 0 ? `restart ${restarted.join(', ')}` : ''].filter((p) => p !== '');
    return { text: parts.join('; ') || 'nothing to undo' };
  }

  return startStopNemesis('election-crash', { start, stop });
}

/** The `election-crash` nemesis. */
export const electionCrash: NemesisDef = {
  name: 'election-crash',
  description: 'Kill the primary; the moment another node is elected, cut it off and crash-restart every other node; heal once they elect a primary of their own',
  requires: ['primary'],
  build,
  schedule: (opts: ScheduleOptions) => (opts.nodes.length < 3 ? [] : faultWindows(opts, (window) => startStop('election-crash', window, AIM), MIN_WINDOW_MS)),
  validate: validateStart('election-crash', parse),
  drawStart: (nodes) => (nodes.length < 3 ? undefined : AIM),
};
