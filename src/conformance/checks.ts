/**
 * The host conformance checks: one list that every host backend must pass, as one Net protocol
 * is what Maelstrom's simulated network and Jepsen's real one both implement. The checks drive a
 * cluster of probe nodes (./probe-node.ts) through the HostBackend interface only, so they cannot
 * tell which backend they test. `faultline check-hosts` runs them (./run.ts), in place or inside
 * the backend's enclave; test/hosts/conformance.spec.ts runs that for every backend in CI and
 * adds what only the outside can see (scratch files, namespaces).
 */
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cluster } from '../api/cluster.js';
import type { Hosts } from '../api/host.js';
import { CLIENTS, type Grudge, type Net } from '../api/net.js';
import { answers, probeCall, type ClockReply, type ReachReply } from './probe.js';
import { Rng } from '../gen/rng.js';
import { bridge, isolate, majoritiesRing, normalize, oneWay, randomHalves } from '../net/grudge.js';
import { runProcesses } from '../hosts/local/run-processes.js';
import type { RunDirs } from '../runner/run-dir.js';

/** A running probe cluster, as the checks see it. */
export interface ProbeRun {
  hosts: Hosts;
  cluster: Cluster;
  net: Net;
  nodes: readonly string[];
  dirs: RunDirs;
}

export interface Check {
  name: string;
  run(p: ProbeRun): Promise<void>;
}

/** How one check went. */
export interface CheckResult {
  name: string;
  ok: boolean;
  error?: string;
  ms: number;
}

/** The probe cluster's nodes, unless an inventory names others. */
export const NODES = ['n1', 'n2', 'n3', 'n4', 'n5'];
/** Fewest nodes the checks work with (majorities rings and bridges need three). */
export const MIN_NODES = 3;
/** The first and last checks, which ./run.ts runs around {@link checks}. */
export const SETUP = 'sets up the hosts and starts every node, each answering where the backend says';
export const TEARDOWN = 'tears down, leaving no process or listener, with every boot in the collected logs';

/** Every check's name, in order, setup and teardown included. */
export function checkNames(): string[] {
  return [SETUP, ...checks(NODES).map((c) => c.name), TEARDOWN];
}

/** How long a probe waits for an answer on a link that must carry (generous: the machine may be busy). */
const CARRY_MS = 1500;
/** Delay put on a shaped link. */
const LATENCY_MS = 300;

class CheckFailed extends Error {}

function expect(cond: boolean, what: string): void {
  if (!cond) throw new CheckFailed(what);
}

/** Poll `cond` until it holds or `ms` pass. */
async function until(what: string, cond: () => Promise<boolean> | boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new CheckFailed(`timed out after ${ms} ms waiting until ${what}`);
    await sleep(50);
  }
}

const address = (p: ProbeRun, node: string): string => p.cluster.clientAddresses[node] as string;
const ping = (p: ProbeRun, node: string, ms = CARRY_MS) => answers(address(p, node), ms);

function reach(p: ProbeRun, from: string, tag: string, opts: { peers?: string[]; count?: number; timeoutMs?: number } = {}): Promise<ReachReply> {
  const timeoutMs = opts.timeoutMs ?? CARRY_MS;
  const req = { op: 'reach' as const, tag, timeoutMs, ...(opts.peers && { peers: opts.peers }), ...(opts.count && { count: opts.count }) };
  return probeCall<ReachReply>(address(p, from), req, timeoutMs + 5000);
}

const heard = (p: ProbeRun, node: string, tag: string): Promise<string[]> => probeCall<string[]>(address(p, node), { op: 'heard', tag }, CARRY_MS);

let tags = 0;
const freshTag = (what: string): string => `${what}-${process.pid}-${++tags}`;

/** Every node answers and every node-to-node link carries, both ways. */
async function expectAllLinks(p: ProbeRun, what: string): Promise<void> {
  const tag = freshTag('all');
  const pings = await Promise.all(p.nodes.map((n) => ping(p, n)));
  expect(pings.every((x) => x !== undefined), `${what}: nodes ${p.nodes.filter((_, i) => !pings[i]).join(', ')} do not answer the clients`);
  const reached = await Promise.all(p.nodes.map((n) => reach(p, n, tag)));
  for (const [i, from] of p.nodes.entries()) {
    for (const to of p.nodes.filter((n) => n !== from)) expect(reached[i]?.[to]?.delivered === 1, `${what}: ${from} -> ${to} carries nothing`);
  }
}

/**
 * Enforce `grudge` and prove it: a cut link (`to` drops `from`) carries nothing (`to` never hears
 * `from`, and `from` gets no answer); a link cut neither way carries; a node whose client link is
 * cut either way does not answer the clients, the others do. A link cut only the other way is
 * left unasserted: a backend that drops packets also kills the TCP connections dialled against
 * the cut (their ACKs are lost), one that cuts connections does not. Then heal and prove every
 * link carries again.
 */
async function expectPartition(p: ProbeRun, grudge: Grudge): Promise<void> {
  const g = normalize(grudge);
  const drops = (to: string, from: string): boolean => (g[to] ?? []).includes(from);
  const clientCut = (n: string): boolean => drops(n, CLIENTS) || drops(CLIENTS, n);
  const text = JSON.stringify(g);
  await p.net.partition(grudge);
  const tag = freshTag('cut');
  const askable = p.nodes.filter((n) => !clientCut(n));
  const [pings, reached] = await Promise.all([
    Promise.all(p.nodes.map((n) => ping(p, n, clientCut(n) ? 700 : CARRY_MS))),
    Promise.all(askable.map((n) => reach(p, n, tag))),
  ]);
  for (const [i, node] of p.nodes.entries()) {
    expect((pings[i] !== undefined) === !clientCut(node), `under ${text}: ${node} ${clientCut(node) ? 'answers the clients across a cut' : 'does not answer the clients'}`);
  }
  const heardBy = new Map(await Promise.all(askable.map(async (n) => [n, await heard(p, n, tag)] as const)));
  for (const [i, from] of askable.entries()) {
    for (const to of askable.filter((n) => n !== from)) {
      const delivered = reached[i]?.[to]?.delivered ?? 0;
      const got = heardBy.get(to)?.includes(from) ?? false;
      if (drops(to, from)) expect(delivered === 0 && !got, `under ${text}: the cut link ${from} -> ${to} carried a message`);
      else if (!drops(from, to)) expect(delivered === 1 && got, `under ${text}: the open link ${from} -> ${to} carried nothing`);
    }
  }
  await p.net.heal();
  await expectAllLinks(p, `after healing ${text}`);
}

const shapes = (nodes: readonly string[]): [string, Grudge][] => {
  const rng = new Rng(7);
  const mute = nodes[0] as string;
  return [
    ['random halves', randomHalves(nodes, rng)],
    ['one node isolated', isolate(nodes, nodes[1 % nodes.length] as string)],
    ['majorities ring', majoritiesRing(nodes, rng)],
    ['bridge', bridge(rng.shuffle(nodes))],
    ['one-way: a node nobody hears', oneWay(mute, nodes.filter((n) => n !== mute))],
    ['clients cut off from one node', isolate([nodes[2 % nodes.length] as string], CLIENTS)],
    ['clients cut off from every node', isolate(nodes, CLIENTS)],
    ['one-way: clients do not hear one node', oneWay(nodes[3 % nodes.length] as string, CLIENTS)],
  ];
};

/**
 * Every check, in the order they run; each leaves the cluster healed with every node up. Roles
 * go to five nodes in turn; with fewer, a node plays several (checks run one at a time).
 */
export function checks(nodes: readonly string[]): Check[] {
  const [n1, n2, n3, n4, n5] = [0, 1, 2, 3, 4].map((i) => nodes[i % nodes.length] as string) as [string, string, string, string, string];
  return [
    {
      name: 'collects each node\'s output into the run\'s nodes/ directory as it runs',
      async run(p) {
        const marker = freshTag('log-marker');
        await Promise.all(p.nodes.map((n) => probeCall(address(p, n), { op: 'log', text: marker }, CARRY_MS)));
        for (const node of p.nodes) {
          const [file] = p.cluster.logFiles(node);
          expect(file === p.dirs.logFile(node), `${node}'s log is collected into ${String(file)}, not ${p.dirs.logFile(node)}`);
          await until(`${node}'s log holds what it just printed`, () => existsSync(file as string) && readFileSync(file as string, 'utf8').includes(marker));
        }
      },
    },
    {
      name: 'stops a node gracefully and starts it again',
      async run(p) {
        await p.cluster.stop(n1);
        expect(!p.cluster.isRunning(n1), `${n1} still counts as running after stop`);
        expect((await ping(p, n1, 700)) === undefined, `${n1} answers after stop`);
        await until(`${n1}'s log shows its graceful stop`, () => readFileSync(p.dirs.logFile(n1), 'utf8').includes('probe stopping'));
        await p.cluster.start(n1);
        expect(p.cluster.isRunning(n1), `${n1} does not count as running after start`);
        await until(`${n1} answers again`, async () => (await ping(p, n1)) !== undefined);
      },
    },
    {
      name: 'kill -9 and restart keep the node\'s data directory',
      async run(p) {
        const value = freshTag('kept');
        await probeCall(address(p, n2), { op: 'write', data: value }, CARRY_MS);
        const before = await ping(p, n2);
        await p.cluster.kill(n2);
        expect(!p.cluster.isRunning(n2), `${n2} still counts as running after kill`);
        expect((await ping(p, n2, 700)) === undefined, `${n2} answers after kill -9`);
        await p.cluster.start(n2);
        await until(`${n2} answers again`, async () => (await ping(p, n2)) !== undefined);
        const after = await ping(p, n2);
        expect(after?.boots === (before?.boots ?? 0) + 1, `${n2} booted ${String(after?.boots)} times on its data directory, expected ${(before?.boots ?? 0) + 1}`);
        const read = await probeCall<string | null>(address(p, n2), { op: 'read' }, CARRY_MS);
        expect(read === value, `${n2} read ${JSON.stringify(read)} from its data directory after restart, not ${JSON.stringify(value)}`);
      },
    },
    {
      name: 'overlapping starts start one process; a start during a stop takes effect after it',
      async run(p) {
        const before = (await ping(p, n3))?.boots ?? 0;
        const stopping = p.cluster.stop(n3);
        await Promise.all([p.cluster.start(n3), p.cluster.start(n3), stopping]);
        expect(p.cluster.isRunning(n3), `${n3} is down after stop, start, start`);
        await until(`${n3} answers`, async () => (await ping(p, n3)) !== undefined);
        const boots = (await ping(p, n3))?.boots;
        expect(boots === before + 1, `${n3} booted ${boots} times, expected ${before + 1}: starts that overlap must start one process`);
      },
    },
    {
      name: 'pauses a node (it answers nothing) and resumes it',
      async run(p) {
        await p.cluster.pause(n4);
        expect((await ping(p, n4, 700)) === undefined, `paused ${n4} answers the clients`);
        const tag = freshTag('paused');
        expect((await reach(p, n2, tag, { peers: [n4], timeoutMs: 700 }))[n4]?.delivered === 0, `paused ${n4} answers its peers`);
        await p.cluster.resume(n4);
        await until(`${n4} answers again after resume`, async () => (await ping(p, n4)) !== undefined);
        const back = freshTag('resumed');
        expect((await reach(p, n2, back, { peers: [n4] }))[n4]?.delivered === 1, `resumed ${n4} does not answer its peers`);
      },
    },
    {
      name: 'skews a node\'s clock as the node\'s clock module reads it, and resets it',
      async run(p) {
        const clock = async (): Promise<ClockReply & { skew: number }> => {
          const t0 = Date.now();
          const c = await probeCall<ClockReply>(address(p, n5), { op: 'clock' }, CARRY_MS);
          return { ...c, skew: c.now - (t0 + Date.now()) / 2 };
        };
        const before = await clock();
        await p.cluster.setClockOffset(n5, -30_000);
        await until(`${n5}'s clock module reads the offset`, async () => (await clock()).offset === -30_000, 5000);
        const after = await clock();
        // Against the node's own reading before: true clocks of remote hosts may differ from ours.
        expect(Math.abs(after.skew - before.skew + 30_000) < 1000, `${n5}'s clock moved by ${Math.round(after.skew - before.skew)} ms, not -30000`);
        await p.cluster.setClockOffset(n5, 0);
        await until(`${n5}'s clock is reset`, async () => (await clock()).offset === 0, 5000);
      },
    },
    ...shapes(nodes).map(([name, grudge]): Check => ({ name: `partition: ${name}, enforced and healed`, run: (p) => expectPartition(p, grudge) })),
    {
      name: 'delays a shaped link, and only that link, until healed',
      async run(p) {
        const rtt = async (from: string, to: string): Promise<number> => {
          const r = (await reach(p, from, freshTag('rtt'), { peers: [to], count: 3, timeoutMs: LATENCY_MS * 2 + CARRY_MS }))[to];
          expect(r?.delivered === 3, `${from} -> ${to} lost messages while only delayed`);
          return (r?.rttMs ?? []).reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
        };
        await p.net.shape({ latencyMs: LATENCY_MS }, [{ from: n1, to: n2 }]);
        const shaped = await rtt(n1, n2);
        expect(shaped >= LATENCY_MS, `${n1} -> ${n2} took ${shaped} ms with ${LATENCY_MS} ms of latency on it`);
        const other = await rtt(n3, n2);
        expect(other < LATENCY_MS, `the unshaped ${n3} -> ${n2} took ${other} ms`);
        await p.net.heal();
        const healed = await rtt(n1, n2);
        expect(healed < LATENCY_MS, `${n1} -> ${n2} still took ${healed} ms after heal`);
      },
    },
    {
      name: 'loses traffic on a lossy link: all of it at loss 1, much of it at loss 0.5',
      async run(p) {
        await p.net.shape({ loss: 1 }, [{ from: n3, to: n4 }]);
        const tag = freshTag('loss');
        const total = await reach(p, n3, tag, { peers: [n4], count: 5 });
        expect(total[n4]?.delivered === 0, `${n3} -> ${n4} delivered ${total[n4]?.delivered} of 5 at loss 1`);
        expect(!(await heard(p, n4, tag)).includes(n3), `${n4} heard ${n3} across a link with loss 1`);
        expect((await reach(p, n1, freshTag('other'), { peers: [n2] }))[n2]?.delivered === 1, `an unshaped link lost traffic`);
        await p.net.shape({ loss: 0.5 }, [{ from: n3, to: n4 }]);
        const half = (await reach(p, n3, freshTag('half'), { peers: [n4], count: 20, timeoutMs: 2000 }))[n4];
        // Lost (the connection reset or timed out) or held up by retransmission.
        const degraded = 20 - (half?.delivered ?? 0) + (half?.rttMs.filter((ms) => ms >= 150).length ?? 0);
        expect(degraded >= 5, `only ${degraded} of 20 messages on ${n3} -> ${n4} were lost or delayed at loss 0.5`);
        await p.net.heal();
        const healed = (await reach(p, n3, freshTag('healed'), { peers: [n4], count: 20, timeoutMs: 3000 }))[n4];
        expect(healed?.delivered === 20, `${n3} -> ${n4} delivered ${healed?.delivered} of 20 after heal`);
      },
    },
  ];
}

/** Put the cluster back as every check expects to find it: healed, every node up and answering. */
export async function restore(p: ProbeRun): Promise<void> {
  await p.net.heal();
  for (const node of p.nodes) {
    await p.cluster.resume(node);
    await p.cluster.start(node);
  }
  await until('every node answers', async () => (await Promise.all(p.nodes.map((n) => ping(p, n)))).every((x) => x !== undefined), 30_000);
}

/** After `hosts.tearDown()`: no process of the run, no node answering, every boot in the logs. */
export async function expectNothingLeft(p: ProbeRun, boots: Readonly<Record<string, number>>): Promise<void> {
  await until('no process of the run is left', () => runProcesses(p.dirs.root).length === 0, 10_000);
  for (const node of p.nodes) {
    expect((await ping(p, node, 700)) === undefined, `${node} still answers after teardown`);
    const log = existsSync(p.dirs.logFile(node)) ? readFileSync(p.dirs.logFile(node), 'utf8') : '';
    const ups = log.split('\n').filter((line) => line.includes('probe up')).length;
    expect(ups === boots[node], `${node}'s collected log shows ${ups} starts, the node booted ${boots[node]} times`);
  }
}
