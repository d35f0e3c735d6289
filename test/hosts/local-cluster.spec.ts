import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { idleCluster } from '../fixtures/idle-system.js';
import { alive, until } from '../fixtures/nemesis-cluster.js';
import { readClockFile } from '../../src/node/clock.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-local-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The state letter of /proc/<pid>/stat: R, S, T (stopped), ... */
function procState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
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
});
