import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SystemDef } from '../../src/api/cluster.js';
import { LocalCluster } from '../../src/hosts/local/local-cluster.js';
import { runProcesses } from '../../src/hosts/local/run-processes.js';
import { idleCluster, placeNodes } from '../fixtures/idle-system.js';
import { alive, until } from '../fixtures/nemesis-cluster.js';
import { readClockFile } from '../../src/node/clock.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-local-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The state letter of /proc/<pid>/stat: R, S, T (stopped), ... */
function procState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

/** Nodes that record their pid in `<dataDir>/boots` and ignore SIGTERM (a stop waits out its grace period). */
const stubborn: SystemDef = {
  name: 'stubborn',
  description: 'nodes that ignore SIGTERM',
  bugs: {},
  clients: {},
  launch: (plan) => ({
    command: process.execPath,
    args: ['-e', "require('fs').appendFileSync(process.argv[1] + '/boots', process.pid + '\\n'); process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)", plan.dataDir],
  }),
};

function stubbornCluster(name: string, graceMs: number): LocalCluster {
  const runDir = join(dir, name);
  mkdirSync(runDir);
  return new LocalCluster({ runDir, system: stubborn, nodes: placeNodes(runDir, ['n1']), onCrash: () => undefined, stopGraceMs: graceMs });
}

describe('LocalCluster', () => {
  it('starts, pauses, resumes, kills, restarts and stops a node', async () => {
    const crashes: string[] = [];
    const cluster = idleCluster(dir, ['n1'], (node, how) => crashes.push(`${node} ${how}`));
    await cluster.start('n1');
    const pid = cluster.pidOf('n1') as number;
    expect(alive(pid)).toBe(true);
    await cluster.pause('n1');
    await until(() => procState(pid) === 'T');
    await cluster.resume('n1');
    await until(() => procState(pid) !== 'T');
    await cluster.kill('n1');
    expect(alive(pid)).toBe(false);
    expect(cluster.isRunning('n1')).toBe(false);
    await cluster.start('n1');
    const second = cluster.pidOf('n1') as number;
    expect(second).not.toBe(pid);
    await cluster.pause('n1');
    await cluster.stop('n1'); // a paused node still stops
    expect(alive(second)).toBe(false);
    expect(crashes).toEqual([]);
  });

  it('reports a node that dies on its own as a crash', async () => {
    const crashes: string[] = [];
    const cluster = idleCluster(dir, ['n1'], (node, how) => crashes.push(`${node} ${how}`));
    await cluster.start('n1');
    process.kill(cluster.pidOf('n1') as number, 'SIGKILL');
    await until(() => crashes.length > 0);
    expect(crashes[0]).toBe('n1 killed by SIGKILL');
    await until(() => !cluster.isRunning('n1'));
  });

  it('writes clock offsets that the clock module reads', async () => {
    const cluster = idleCluster(dir, ['n1']);
    await cluster.setClockOffset('n1', -30_000);
    expect(readClockFile(join(dir, 'n1.clock'))).toBe(-30_000);
    await cluster.setClockOffset('n1', 0);
    expect(readClockFile(join(dir, 'n1.clock'))).toBe(0);
  });

  it('leaves no node running after the harness is killed with SIGKILL', async () => {
    const harness = spawn(process.execPath, ['--import', 'tsx', new URL('../fixtures/orphan-harness.ts', import.meta.url).pathname, dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const pids = await new Promise<number[]>((resolve) => harness.stdout.once('data', (b: Buffer) => resolve(JSON.parse(b.toString()) as number[])));
    expect(pids.every(alive)).toBe(true);
    harness.kill('SIGKILL');
    await until(() => !pids.some(alive));
  });

  it('starts one process when two starts overlap', async () => {
    const cluster = stubbornCluster('overlap', 10_000);
    try {
      await Promise.all([cluster.start('n1'), cluster.start('n1')]);
      // One tether and one node: a second spawn would run a second node on the same data directory.
      expect(runProcesses(join(dir, 'overlap')).length).toBe(2);
      expect(cluster.isRunning('n1')).toBe(true);
    } finally {
      await cluster.teardown();
    }
    await until(() => runProcesses(join(dir, 'overlap')).length === 0);
  });

  it('starts the node again when a start comes during a stop\'s grace period, and keeps track of it', async () => {
    const cluster = stubbornCluster('restart', 500);
    await cluster.start('n1');
    const first = cluster.pidOf('n1') as number;
    const stopping = cluster.stop('n1');
    await cluster.start('n1');
    await stopping;
    expect(alive(first)).toBe(false);
    expect(cluster.isRunning('n1')).toBe(true);
    const second = cluster.pidOf('n1') as number;
    expect(second).not.toBe(first);
    expect(alive(second)).toBe(true);
    await cluster.teardown();
    expect(alive(second)).toBe(false);
    await until(() => runProcesses(join(dir, 'restart')).length === 0);
  });

  it('kills at once a node whose graceful stop is waiting out its grace period', async () => {
    const cluster = stubbornCluster('cut-short', 60_000);
    await cluster.start('n1');
    const pid = cluster.pidOf('n1') as number;
    const stopping = cluster.stop('n1');
    await until(() => !cluster.isRunning('n1'));
    const t0 = Date.now();
    await cluster.kill('n1');
    await stopping;
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(alive(pid)).toBe(false);
    await cluster.teardown();
  });
});
