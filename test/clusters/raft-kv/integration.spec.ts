/**
 * Three real raft-kv node processes on 127.0.0.1, launched exactly as faultline launches them
 * (SystemDef.launch), with peers dialling each other directly (no fault proxy here).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../../../src/api/client.js';
import type { ClusterView, NodePlan } from '../../../src/api/cluster.js';
import { raftKv, nodeStatus } from '../../../clusters/raft-kv/index.js';
import { allocatePort } from '../../../src/hosts/local/ports.js';
import { localCommand } from '../../../src/hosts/local/programs.js';

const NODES = ['n1', 'n2', 'n3'];

async function eventually<T>(what: string, fn: () => Promise<T | undefined>, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('raft-kv with real processes', () => {
  let dir: string;
  const plans = new Map<string, NodePlan>();
  const procs = new Map<string, ChildProcess>();
  let view: ClusterView;
  const clients: Client[] = [];

  function start(id: string): void {
    const launch = localCommand(raftKv.launch(plans.get(id)!));
    const log = createWriteStream(join(dir, `${id}.log`), { flags: 'a' });
    const child = spawn(launch.command, launch.args, { env: { ...process.env, ...launch.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    procs.set(id, child);
  }

  function kill(id: string): Promise<void> {
    const child = procs.get(id)!;
    procs.delete(id);
    return new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  async function open(node: string): Promise<Client> {
    const client = await raftKv.clients.register!.open({
      node,
      address: view.clientAddresses[node]!,
      addresses: view.clientAddresses,
      process: clients.length,
      timeoutMs: 2000,
    });
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'faultline-raft-kv-'));
    const peer: Record<string, string> = {};
    const client: Record<string, string> = {};
    for (const id of NODES) {
      peer[id] = `127.0.0.1:${await allocatePort()}`;
      client[id] = `127.0.0.1:${await allocatePort()}`;
    }
    NODES.forEach((id, index) => {
      plans.set(id, {
        id,
        index,
        nodes: NODES,
        dataDir: join(dir, id),
        peerListen: peer[id]!,
        clientListen: client[id]!,
        peers: Object.fromEntries(NODES.filter((n) => n !== id).map((n) => [n, peer[n]!])),
        clockFile: join(dir, `${id}.clock`),
        bugs: [],
        options: {},
      });
    });
    view = { nodes: NODES, clientAddresses: client };
    for (const id of NODES) start(id);
  });

  afterAll(async () => {
    for (const c of clients) await c.close();
    await Promise.all([...procs.keys()].map(kill));
    await rm(dir, { recursive: true, force: true });
  });

  it('elects a leader, serves read/write/cas, survives kill -9 of the leader, and catches up a restarted node', async () => {
    const signal = AbortSignal.timeout(15_000);
    const t0 = Date.now();
    await raftKv.ready!(view, signal);
    const readyMs = Date.now() - t0;
    const leader = await raftKv.primary!(view, signal);
    expect(NODES).toContain(leader);

    // A client pointed at a follower is redirected to the leader.
    const follower = NODES.find((n) => n !== leader)!;
    const c = await open(follower);
    expect(await c.invoke({ f: 'read', key: 'k', value: null }, signal)).toEqual({ type: 'ok', value: null });
    expect(await c.invoke({ f: 'write', key: 'k', value: 1 }, signal)).toEqual({ type: 'ok', value: 1 });
    expect(await c.invoke({ f: 'read', key: 'k', value: null }, signal)).toEqual({ type: 'ok', value: 1 });
    expect(await c.invoke({ f: 'cas', key: 'k', value: [1, 2] }, signal)).toEqual({ type: 'ok', value: [1, 2] });
    expect(await c.invoke({ f: 'cas', key: 'k', value: [1, 3] }, signal)).toMatchObject({ type: 'fail', error: 'precondition-failed' });
    expect(await c.invoke({ f: 'read', key: 'k', value: null }, signal)).toEqual({ type: 'ok', value: 2 });

    // Sequential throughput, for the record.
    const lc = await open(leader!);
    let n = 0;
    const t1 = Date.now();
    while (Date.now() - t1 < 500) await lc.invoke({ f: 'write', key: 'seq', value: n++ }, signal);
    const writesPerSec = Math.round(n / ((Date.now() - t1) / 1000));

    // kill -9 the leader: a new one takes over and the data is still there.
    await kill(leader!);
    const t2 = Date.now();
    const survivors: ClusterView = { nodes: NODES.filter((x) => x !== leader), clientAddresses: view.clientAddresses };
    const next = await eventually('a new leader', async () => {
      const p = await raftKv.primary!(survivors, signal);
      return p !== undefined && p !== leader ? p : undefined;
    });
    const failoverMs = Date.now() - t2;
    const c2 = await open(next);
    expect(await c2.invoke({ f: 'read', key: 'k', value: null }, signal)).toEqual({ type: 'ok', value: 2 });
    expect(await c2.invoke({ f: 'write', key: 'k', value: 4 }, signal)).toEqual({ type: 'ok', value: 4 });

    // Restart the killed node: it recovers its log from disk and catches up.
    start(leader!);
    const target = (await nodeStatus(view.clientAddresses[next]!, signal))!.commitIndex;
    await eventually('the restarted node to catch up', async () => {
      const s = await nodeStatus(view.clientAddresses[leader!]!, signal);
      return s && s.commitIndex >= target && s.leader === next ? s : undefined;
    });
    const log = await readFile(join(dir, `${leader}.log`), 'utf8');
    const recoveries = [...log.matchAll(/INFO recovered term=(\d+) votedFor=\S+ lastIndex=(\d+)/g)];
    expect(recoveries).toHaveLength(2);
    expect(Number(recoveries[1]![2])).toBeGreaterThan(n);
    console.log(`raft-kv: ready in ${readyMs} ms, ${writesPerSec} sequential writes/s, failover in ${failoverMs} ms`);
  }, 30_000);
});
