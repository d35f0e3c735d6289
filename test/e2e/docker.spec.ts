/**
 * `faultline test --hosts docker` end to end: a missing daemon refused in one line (everywhere),
 * and, as root with dockerd installed, real runs of the bundled Raft KV in containers of the
 * faultline lab's daemon (`faultline lab docker up`, as a user brings it up): every nemesis at
 * once, then a Ctrl-C mid-run. After each: no container or network of the run is left on the
 * daemon, no process of the run on this machine, and the root namespace as it was.
 */
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABELS } from '../../src/hosts/docker/daemon.js';
import { LAB_SOCKET } from '../../src/hosts/docker/lab.js';
import { runProcesses } from '../../src/hosts/local/run-processes.js';
import { readHistoryFile } from '../../src/history/formats/index.js';
import { interruptMidRun } from '../fixtures/run-watch.js';
import { runCli } from '../helpers/cli.js';
import { rootSnapshot } from '../net/netns/helpers.js';
import { dockerLabLeftovers, dockerUnsupported, holdDockerLab, onLabDaemon, type HeldLab } from '../hosts/docker-lab.js';

const results = mkdtempSync(join(tmpdir(), 'faultline-docker-e2e-'));
afterAll(() => rmSync(results, { recursive: true, force: true }));

const latestRun = (root: string): string => join(root, readlinkSync(join(root, 'latest')));

describe('--hosts docker without a daemon', () => {
  it('says so in one line, suggests the embedded default, exits 2', async () => {
    const socket = join(results, 'no-such-daemon.sock');
    const run = await runCli(['test', '--hosts', 'docker', '--nodes', '3', '--time-limit', '2', '--results-dir', join(results, 'none')], undefined, undefined, {
      DOCKER_HOST: `unix://${socket}`,
    });
    expect(run.code).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines, run.stderr).toHaveLength(1);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    if (process.getuid?.() === 0) {
      expect(lines[0]).toContain(`no Docker daemon answers at unix://${socket}`);
      expect(lines[0]).toContain('--hosts local');
    } else {
      expect(lines[0]).toMatch(/--hosts docker needs root/);
    }
    expect(existsSync(join(results, 'none'))).toBe(false);
  });
});

const unsupported = dockerUnsupported();

describe.skipIf(unsupported !== undefined)(`faultline test --hosts docker${unsupported ? ` (skipped: ${unsupported})` : ''}`, () => {
  let lab: HeldLab;
  let before: Record<string, string>;
  beforeAll(async () => {
    before = rootSnapshot();
    lab = await holdDockerLab();
  }, 180_000);
  afterAll(async () => {
    await lab?.release();
    if (lab?.owned) expect(dockerLabLeftovers()).toEqual([]);
    expect(rootSnapshot()).toEqual(before);
  }, 120_000);

  async function expectNothingLeft(runDir: string): Promise<void> {
    const res = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8'));
    const run = res.netDescription.lab as string;
    expect(run).toMatch(/^[0-9a-f]{6}$/);
    expect(await onLabDaemon(`${LABELS.run}=${run}`)).toEqual([]);
    expect(runProcesses(runDir)).toEqual([]);
    expect(rootSnapshot()).toEqual(before);
  }

  it('runs raft-kv in containers under partition, kill, pause and clock faults: valid, logs collected, nothing left', async () => {
    const dir = join(results, 'all');
    const args = ['test', '--hosts', 'docker', '--cluster', 'raft-kv', '--workload', 'register', '--nodes', '5', '--concurrency', '6'];
    const run = await runCli([...args, '--time-limit', '12', '--recovery-time', '3', '--nemesis', 'partition,kill,pause,clock', '--nemesis-interval', '1.5', '--seed', '7', '--results-dir', dir], undefined, undefined, lab.env);
    expect(run.code, run.stderr).toBe(0);
    const runDir = latestRun(dir);
    const res = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8'));
    expect(res.valid).toBe(true);
    expect(res.spec).toMatchObject({ hosts: 'docker', net: 'bridge' });
    expect(res.command).toContain('--hosts docker');
    expect(res.netDescription).toMatchObject({ kind: 'docker', daemon: `unix://${LAB_SOCKET}` });
    expect(res.netDescription.image).toMatch(/^faultline-node:/);
    const addresses = res.netDescription.addresses as Record<string, string>;
    // The node ran in its container: pid 1 there, listening on the container's own address.
    const log = readFileSync(join(runDir, 'nodes', 'n3.log'), 'utf8');
    expect(log).toContain('starting pid=1 ');
    expect(log).toContain(`listening peers=${addresses.n3}:7000 clients=${addresses.n3}:7001`);
    expect(res.ops.ok).toBeGreaterThan(20);
    const history = await readHistoryFile(join(runDir, 'history.jsonl'));
    const faults = new Set(history.ops.filter((op) => op.process === 'nemesis' && op.type !== 'invoke').map((op) => op.f));
    for (const f of ['start-partition', 'start-kill', 'start-pause', 'start-clock']) expect(faults).toContain(f);
    await expectNothingLeft(runDir);
  }, 240_000);

  it('stops on SIGINT mid-run: stops the nodes, reports unknown, removes containers and network', async () => {
    const args = ['test', '--hosts', 'docker', '--nodes', '3', '--concurrency', '4', '--time-limit', '120', '--nemesis', 'partition', '--seed', '8'];
    const { run, runDir } = await interruptMidRun(args, join(results, 'sigint'), lab.env);
    expect(run.code, run.stderr).toBe(2);
    const res = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8'));
    expect(res.interrupted).toBe(true);
    expect(res.valid).toBe('unknown');
    await expectNothingLeft(runDir);
  }, 240_000);
});
