/**
 * Real node processes of a bundled key-value system on 127.0.0.1, launched exactly as faultline
 * launches them (SystemDef.launch), with peers dialling each other directly (no fault proxy), and
 * the scenario every such system must pass: elect, serve read/write/cas (through a follower,
 * which redirects), survive kill -9 of the leader with the data intact, and take the killed node
 * back, recovered from its disk and caught up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Client } from '../../src/api/client.js';
import type { ClusterView, NodePlan, SystemDef } from '../../src/api/cluster.js';
import { allocatePort } from '../../src/hosts/local/ports.js';
import { localCommand } from '../../src/hosts/local/programs.js';
import { nodeStatus } from '../../src/node/kv/probe.js';

/** Poll `fn` until it gives a value; generous, since a loaded machine starts processes slowly. */
export async function eventually<T>(what: string, fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export class RealCluster {
  private readonly procs = new Map<string, ChildProcess>();
  private readonly clients: Client[] = [];

  private constructor(
    private readonly system: SystemDef,
    private readonly dir: string,
    private readonly plans: ReadonlyMap<string, NodePlan>,
    readonly view: ClusterView,
  ) {}

  /** Plan `nodes` and start every one. */
  static async start(system: SystemDef, nodes: readonly string[], bugs: string[] = []): Promise<RealCluster> {
    const dir = await mkdtemp(join(tmpdir(), `faultline-${system.name}-`));
    const peer: Record<string, string> = {};
    const client: Record<string, string> = {};
    for (const id of nodes) {
      peer[id] = `127.0.0.1:${await allocatePort()}`;
      client[id] = `127.0.0.1:${await allocatePort()}`;
    }
    const plans = new Map<string, NodePlan>();
    nodes.forEach((id, index) => {
      plans.set(id, {
        id,
        index,
        nodes,
        dataDir: join(dir, id),
        peerListen: peer[id]!,
        clientListen: client[id]!,
        peers: Object.fromEntries(nodes.filter((n) => n !== id).map((n) => [n, peer[n]!])),
        clockFile: join(dir, `${id}.clock`),
        bugs,
        options: {},
      });
    });
    const cluster = new RealCluster(system, dir, plans, { nodes, clientAddresses: client });
    for (const id of nodes) cluster.launch(id);
    return cluster;
  }

  /** Start a node (again, with its data directory). */
  launch(id: string): void {
    const launch = localCommand(this.system.launch(this.plans.get(id)!));
    const log = createWriteStream(join(this.dir, `${id}.log`), { flags: 'a' });
    const child = spawn(launch.command, launch.args, { env: { ...process.env, ...launch.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    this.procs.set(id, child);
  }

  /** kill -9 a node and wait until it is gone. */
  kill(id: string): Promise<void> {
    const child = this.procs.get(id)!;
    this.procs.delete(id);
    return new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  /** A client of `workload` (register by default) pointed at `node`. */
  async open(node: string, workload = 'register'): Promise<Client> {
    const client = await this.system.clients[workload]!.open({
      node,
      address: this.view.clientAddresses[node]!,
      addresses: this.view.clientAddresses,
      process: this.clients.length,
      timeoutMs: 2000,
      options: {},
    });
    this.clients.push(client);
    return client;
  }

  log(id: string): Promise<string> {
    return readFile(join(this.dir, `${id}.log`), 'utf8');
  }

  async stop(): Promise<void> {
    for (const c of this.clients) await c.close();
    await Promise.all([...this.procs.keys()].map((id) => this.kill(id)));
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** What the scenario saw, for system-specific checks afterwards. */
export interface ScenarioOutcome {
  /** The first leader, killed and restarted. */
  killed: string;
  /** The leader after the kill. */
  next: string;
  /** Sequential writes acknowledged before the kill. */
  writes: number;
  readyMs: number;
  failoverMs: number;
}

export async function killLeaderScenario(system: SystemDef, cluster: RealCluster): Promise<ScenarioOutcome> {
  const { view } = cluster;
  const signal = AbortSignal.timeout(50_000);
  const t0 = Date.now();
  await system.ready!(view, signal);
  const readyMs = Date.now() - t0;
  const leader = (await system.primary!(view, signal))!;
  expect(view.nodes).toContain(leader);

  // A client pointed at a follower is redirected to the leader.
  const c = await cluster.open(view.nodes.find((n) => n !== leader)!);
  expect(await c.invoke({ f: 'read', key: 'k', value: null }, signal)).toEqual({ type: 'ok', value: null });
  expect(await c.invoke({ f: 'write', key: 'k', value: 1 }, signal)).toEqual({ type: 'ok', value: 1 });
  expect(await c.invoke({ f: 'read', key: 'k', value: null }, signal)).toEqual({ type: 'ok', value: 1 });
  expect(await c.invoke({ f: 'cas', key: 'k', value: [1, 2] }, signal)).toEqual({ type: 'ok', value: [1, 2] });
  expect(await c.invoke({ f: 'cas', key: 'k', value: [1, 3] }, signal)).toMatchObject({ type: 'fail', error: 'precondition-failed' });
  expect(await c.invoke({ f: 'read', key: 'k', value: null }, signal)).toEqual({ type: 'ok', value: 2 });

  const lc = await cluster.open(leader);
  let writes = 0;
  const t1 = Date.now();
  while (Date.now() - t1 < 500) expect(await lc.invoke({ f: 'write', key: 'seq', value: writes++ }, signal)).toMatchObject({ type: 'ok' });

  // kill -9 the leader: another takes over and the data is still there.
  await cluster.kill(leader);
  const t2 = Date.now();
  const survivors: ClusterView = { nodes: view.nodes.filter((x) => x !== leader), clientAddresses: view.clientAddresses };
  const next = await eventually('a new leader', async () => {
    const p = await system.primary!(survivors, signal);
    return p !== undefined && p !== leader ? p : undefined;
  });
  const failoverMs = Date.now() - t2;
  const c2 = await cluster.open(next);
  expect(await c2.invoke({ f: 'read', key: 'k', value: null }, signal)).toEqual({ type: 'ok', value: 2 });
  expect(await c2.invoke({ f: 'read', key: 'seq', value: null }, signal)).toEqual({ type: 'ok', value: writes - 1 });
  expect(await c2.invoke({ f: 'write', key: 'k', value: 4 }, signal)).toEqual({ type: 'ok', value: 4 });

  // Restart the killed node: it recovers from its disk and catches up under the new leader.
  cluster.launch(leader);
  const target = (await nodeStatus(view.clientAddresses[next]!, signal))!.commitIndex;
  await eventually('the restarted node to catch up', async () => {
    const s = await nodeStatus(view.clientAddresses[leader]!, signal);
    return s && s.commitIndex >= target && s.leader === next ? s : undefined;
  });
  console.log(`${system.name}: ready in ${readyMs} ms, ${Math.round(writes / ((Date.now() - t1) / 1000))} sequential writes/s, failover in ${failoverMs} ms`);
  return { killed: leader, next, writes, readyMs, failoverMs };
}
