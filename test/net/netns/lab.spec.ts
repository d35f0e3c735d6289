import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localProgram } from '../../../src/hosts/local/programs.js';
import { netnsEnclave } from '../../../src/hosts/netns/enclave.js';
import { enclaveEnv } from '../../../src/runner/enclave-run.js';
import { findTool, netnsPath } from '../../../src/net/netns/exec.js';
import {
  NotInNamespaceError,
  assertInNamespace,
  launchInNamespace,
  selfInNamespace,
} from '../../../src/net/netns/in-namespace.js';
import {
  LAB_STATE_ROOT,
  cleanupLeftoverLabs,
  createLab,
  destroyLab,
  listLeftoverLabs,
  newLabId,
  type Lab,
} from '../../../src/net/netns/lab.js';
import { waitFor } from '../../fixtures/run-watch.js';
import { alive, canConnect, namespaces, netnsUnsupported, rootSnapshot, serveIn } from './helpers.js';

const unsupported = netnsUnsupported();
const PORT = 7400;

describe.skipIf(unsupported !== undefined)(`netns lab${unsupported ? ` (skipped: ${unsupported})` : ''}`, () => {
  let before: Record<string, string>;
  const made: string[] = [];
  beforeAll(() => {
    before = rootSnapshot();
  });
  afterAll(async () => {
    for (const id of made) await destroyLab(id);
  });

  it('builds namespaces, a bridge and addresses; nodes and the control side reach each other from inside', async () => {
    const lab = await createLab({ nodes: ['n1', 'n2', 'n3'] });
    made.push(lab.id);
    const names = namespaces();
    for (const ns of [lab.switchNs, lab.control.ns, ...Object.values(lab.nodes).map((h) => h.ns)]) expect(names).toContain(ns);
    expect(lab.subnet).toMatch(/^10\.200\.\d+\.0\/24$/);
    expect(lab.nodes.n2?.address).toBe(lab.subnet.replace('.0/24', '.2'));
    expect(readFileSync(join(LAB_STATE_ROOT, lab.id, 'owner.pid'), 'utf8')).toMatch(new RegExp(`^${process.pid} \\d+`));
    for (const h of [lab.control, ...Object.values(lab.nodes)]) expect(h.port.length).toBeLessThanOrEqual(15);

    // The root namespace holds none of it, even while the lab is up.
    expect(rootSnapshot()).toEqual(before);

    if (findTool('ping')) {
      const out = execFileSync(findTool('nsenter') as string, [
        `--net=${netnsPath(lab.nodes.n1!.ns)}`, '--', findTool('ping') as string, '-c1', '-W2', lab.nodes.n2!.address,
      ], { encoding: 'utf8' });
      expect(out).toMatch(/1 received/);
    }
    const servers = await Promise.all(Object.values(lab.nodes).map((h) => serveIn(h.ns, h.address, PORT)));
    try {
      const target = (n: string): string => `${lab.nodes[n]!.address}:${PORT}`;
      expect(await canConnect(lab.nodes.n1!.ns, [target('n2'), target('n3')])).toEqual({ [target('n2')]: true, [target('n3')]: true });
      expect(Object.values(await canConnect(lab.control.ns, ['n1', 'n2', 'n3'].map(target)))).toEqual([true, true, true]);
    } finally {
      for (const s of servers) s.close();
    }
  });

  it('runs a launch in a namespace; the control side checks where it is before dialing', async () => {
    const lab = await createLab({ nodes: ['n1'] });
    made.push(lab.id);
    const server = await serveIn(lab.nodes.n1!.ns, lab.nodes.n1!.address, PORT);
    try {
      const inner = localProgram(new URL('./fixtures/control-side.js', import.meta.url), [`${lab.nodes.n1!.address}:${PORT}`]);
      const env = enclaveEnv('local', netnsEnclave.rejoin(lab.id)!);
      const launch = launchInNamespace({ ...inner, env }, lab.control.ns);
      expect(launch.args.slice(0, 3)).toEqual([`--net=/var/run/netns/${lab.control.ns}`, '--', inner.command]);
      const out = execFileSync(launch.command, launch.args, { env: { ...process.env, ...launch.env }, encoding: 'utf8' });
      expect(out).toBe(`connected from ${lab.control.address}\n`);
      // The same program in a node namespace is refused: wrong address.
      const wrong = launchInNamespace({ ...inner, env }, lab.nodes.n1!.ns);
      expect(() => execFileSync(wrong.command, wrong.args, { env: { ...process.env, ...wrong.env }, stdio: 'pipe' })).toThrow(
        /refusing to dial/,
      );
    } finally {
      server.close();
    }
    // This test process is in the root namespace: it must refuse.
    expect(() => assertInNamespace(lab.control.address)).toThrow(NotInNamespaceError);
    const self = selfInNamespace(lab.control.ns, { MARK: 'x' }, ['cli.js', 'test']);
    expect(self.args).toEqual([`--net=/var/run/netns/${lab.control.ns}`, '--', process.execPath, ...process.execArgv, 'cli.js', 'test']);
    expect(self.env).toEqual({ MARK: 'x' });
  });

  it('destroyLab removes every namespace and the state, and is idempotent', async () => {
    const lab: Lab = await createLab({ nodes: ['n1', 'n2'] });
    made.push(lab.id);
    const sleeper = spawn(findTool('nsenter') as string, [`--net=${netnsPath(lab.nodes.n1!.ns)}`, '--', 'sleep', '60'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 100));
    await destroyLab(lab.id);
    expect(namespaces().filter((n) => n.startsWith(`fl-${lab.id}-`))).toEqual([]);
    expect(existsSync(lab.stateDir)).toBe(false);
    await new Promise<void>((r) => (sleeper.exitCode !== null || sleeper.signalCode !== null ? r() : sleeper.once('exit', () => r())));
    expect(sleeper.signalCode).toBe('SIGKILL');
    await destroyLab(lab.id); // again: nothing left, no error
  });

  it('removes what it made when creation fails half-way, and refuses a taken id', async () => {
    const id = newLabId();
    execFileSync(findTool('ip') as string, ['netns', 'add', `fl-${id}-n2`]); // n2's namespace is "taken"
    await expect(createLab({ id, nodes: ['n1', 'n2'] })).rejects.toThrow(/ip netns add fl-.*-n2. failed.*File exists/);
    expect(namespaces().filter((n) => n.startsWith(`fl-${id}-`))).toEqual([]);
    expect(existsSync(join(LAB_STATE_ROOT, id))).toBe(false);

    const lab = await createLab({ nodes: ['n1'] });
    made.push(lab.id);
    await expect(createLab({ id: lab.id, nodes: ['n1'] })).rejects.toThrow(/already exists/);
    expect(namespaces()).toContain(lab.nodes.n1!.ns);
    await expect(createLab({ nodes: ['ctl'] })).rejects.toThrow(/cannot name a namespace/);
  });

  it('finds and removes the lab of a harness killed with kill -9', async () => {
    const fixture = localProgram(new URL('./fixtures/make-lab.js', import.meta.url), []);
    const child = spawn(fixture.command, fixture.args, { stdio: ['ignore', 'pipe', 'inherit'] });
    const lab = await new Promise<Lab>((resolve, reject) => {
      child.stdout.once('data', (d: Buffer) => resolve(JSON.parse(d.toString()) as Lab));
      child.once('exit', (code) => reject(new Error(`fixture exited ${code}`)));
    });
    made.push(lab.id);
    expect((await listLeftoverLabs()).map((l) => l.id)).not.toContain(lab.id); // owner alive
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(alive(child.pid as number)).toBe(false);

    const leftover = (await listLeftoverLabs()).find((l) => l.id === lab.id);
    expect(leftover?.ownerPid).toBe(child.pid);
    expect(leftover?.namespaces.sort()).toEqual([lab.control.ns, lab.nodes.n1!.ns, lab.nodes.n2!.ns, lab.switchNs].sort());
    for (const id of made) if (id !== lab.id) expect((await listLeftoverLabs()).map((l) => l.id)).not.toContain(id);

    expect((await cleanupLeftoverLabs()).removed).toContain(lab.id);
    expect(namespaces().filter((n) => n.startsWith(`fl-${lab.id}-`))).toEqual([]);
    expect(existsSync(lab.stateDir)).toBe(false);
  });

  it('removes the lab of a harness killed with -9 that stays a zombie (its test runner never reaps it)', async () => {
    // The "test runner": a shell that starts the harness, then becomes a sleep that never waits.
    const fixture = localProgram(new URL('./fixtures/make-lab.js', import.meta.url), []);
    const runner = spawn('sh', ['-c', '"$@" & exec sleep 600', 'runner', fixture.command, ...fixture.args], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const lab = await new Promise<Lab>((resolve, reject) => {
        runner.stdout.once('data', (d: Buffer) => resolve(JSON.parse(d.toString()) as Lab));
        runner.once('exit', (code) => reject(new Error(`runner exited ${code}`)));
      });
      made.push(lab.id);
      const harness = Number(readFileSync(join(lab.stateDir, 'owner.pid'), 'utf8').split(' ')[0]);
      process.kill(harness, 'SIGKILL');
      await waitFor(() => /\) Z /.test(readFileSync(`/proc/${harness}/stat`, 'utf8')), 5000, 'the harness to become a zombie');
      expect(alive(harness)).toBe(true); // a zombie still answers kill(0): its pid alone says nothing

      expect((await listLeftoverLabs()).find((l) => l.id === lab.id)?.ownerPid).toBe(harness);
      expect((await cleanupLeftoverLabs()).removed).toContain(lab.id);
      expect(namespaces().filter((n) => n.startsWith(`fl-${lab.id}-`))).toEqual([]);
      expect(existsSync(lab.stateDir)).toBe(false);
    } finally {
      runner.kill('SIGKILL');
    }
  });

  it('left nothing in the root namespace', async () => {
    for (const id of made.splice(0)) await destroyLab(id);
    expect(rootSnapshot()).toEqual(before);
  });
});
