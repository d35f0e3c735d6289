/**
 * `faultline lab docker up|down`: a Docker daemon of faultline's own, inside a network namespace
 * of its own (`faultline-docker`), so its bridges, its iptables rules and every container address
 * stay inside that namespace and the host's network is never touched. Runs against it need the
 * harness side inside that namespace too (./enclave.ts): from the root namespace, whose default
 * route leaves the machine, a lab address must never be dialled.
 *
 * What works on these machines (../shared/guides/lab-recipes.md): dockerd starts through
 * `nsenter --net=...` (not `ip netns exec`, which remounts /sys); overlay2 works. Its state: the
 * socket, pid file, exec root and log under /run/faultline/docker-lab, images and containers under
 * /var/lib/faultline/docker-lab, its containers' cgroups under `faultline-docker-lab`. `down`
 * removes all of it (containers, daemon, leftover processes and mounts, the namespace, the
 * cgroups, the directories it made), leaving the machine as it was before `up`.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostLab } from '../../api/host.js';
import { abortableSleep } from '../../abortable-sleep.js';
import { findTool, ipIn, ipNetns, netnsPath, run } from '../../net/netns/exec.js';
import { processIdentity, identityAlive, signalQuietly } from '../../process-identity.js';
import { UserError } from '../../user-error.js';
import { answers, dockerAt } from './daemon.js';

/** The lab's network namespace. */
export const LAB_NAMESPACE = 'faultline-docker';
/** Runtime state: socket, pid file, exec root, log, lab.json. */
const RUN_DIR = '/run/faultline/docker-lab';
/** Images, containers, volumes. */
const DATA_DIR = '/var/lib/faultline/docker-lab';
/** The lab daemon's socket: `DOCKER_HOST=unix://` this. */
export const LAB_SOCKET = join(RUN_DIR, 'docker.sock');
/** Parent cgroup of the lab's containers, so leftovers can be told from any other daemon's. */
const CGROUP_PARENT = 'faultline-docker-lab';
const CGROUP_ROOT = '/sys/fs/cgroup';
/** The lab daemon's default bridge (`--bip`), out of Docker's default pools so networks of runs never meet it. */
const LAB_BRIDGE = '10.210.0.1/24';
/**
 * An address of the namespace on its `lo`, which the harness side checks it holds before it dials
 * (a bridge without containers is down, and Node does not list the addresses of interfaces that are down).
 */
const LAB_ADDRESS = '10.210.1.1';
/** How long the daemon may take to answer after it starts. */
const START_TIMEOUT_MS = 60_000;
/** How long a SIGTERM'd daemon may take to exit before SIGKILL. */
const STOP_GRACE_MS = 20_000;

/** lab.json: what `up` made, for `down`, the enclave and `faultline clean`. */
export interface DockerLabState {
  namespace: string;
  socket: string;
  /** dockerd's identity (`<pid>@<start>`). */
  daemon: string;
  /** An IPv4 address of the namespace: the harness side shows it is inside by holding it. */
  address: string;
  /** Directories `up` created (parents included), removed by `down` when empty. */
  created: string[];
}

const STATE_FILE = join(RUN_DIR, 'lab.json');

/** The lab recorded on this machine, if any. */
export function readLabState(): DockerLabState | undefined {
  try {
    return JSON.parse(readFileSync(STATE_FILE, 'utf8')) as DockerLabState;
  } catch {
    return undefined;
  }
}

/** Whether the lab's daemon process still runs. */
export function labAlive(state: DockerLabState): boolean {
  return state.daemon !== '' && identityAlive(state.daemon);
}

/** The line to export for runs against the lab. */
export const LAB_EXPORT = `export DOCKER_HOST=unix://${LAB_SOCKET}`;

function ensureRoot(what: string): void {
  if (process.getuid?.() !== 0) throw new UserError(`${what} needs root (it creates a network namespace and runs dockerd)`);
  const needed: [string, string][] = [['dockerd', 'docker.io'], ['containerd', 'containerd'], ['runc', 'runc'], ['ip', 'iproute2'], ['nsenter', 'util-linux']];
  for (const [tool, pkg] of needed) {
    if (!findTool(tool)) throw new UserError(`${what} needs \`${tool}\`; install it with apt-get install ${pkg}`);
  }
}

/** Make `dir` and its missing parents; returns those it made, outermost first. */
function makeDirs(dir: string): string[] {
  const made: string[] = [];
  for (let d = dir; !existsSync(d); d = join(d, '..')) made.unshift(d);
  mkdirSync(dir, { recursive: true });
  return made;
}

async function up(): Promise<string[]> {
  ensureRoot('faultline lab docker up');
  const existing = readLabState();
  if (existing && labAlive(existing) && (await answers(dockerAt(existing.socket)))) {
    return [`# the faultline Docker lab is already up (dockerd in namespace ${LAB_NAMESPACE}); faultline lab docker down removes it`, LAB_EXPORT];
  }
  if (existing || (await namespaceExists())) await down();
  const created = [...makeDirs(RUN_DIR), ...makeDirs(DATA_DIR)];
  const state: DockerLabState = { namespace: LAB_NAMESPACE, socket: LAB_SOCKET, daemon: '', address: '', created };
  writeFileSync(STATE_FILE, `${JSON.stringify(state, null, 2)}\n`);
  try {
    await ipNetns(['add', LAB_NAMESPACE]);
    await ipIn(LAB_NAMESPACE, ['link', 'set', 'lo', 'up']);
    await ipIn(LAB_NAMESPACE, ['addr', 'add', `${LAB_ADDRESS}/32`, 'dev', 'lo']);
    state.daemon = startDaemon();
    writeFileSync(STATE_FILE, `${JSON.stringify(state, null, 2)}\n`);
    state.address = await waitUntilUp(state);
    writeFileSync(STATE_FILE, `${JSON.stringify(state, null, 2)}\n`);
  } catch (err) {
    await down().catch(() => undefined);
    throw err;
  }
  return [`# faultline Docker lab up: dockerd in network namespace ${LAB_NAMESPACE}, state in ${RUN_DIR} and ${DATA_DIR}; faultline lab docker down removes it`, LAB_EXPORT];
}

/** Start dockerd inside the namespace, detached, its output in the lab's log; returns its identity. */
function startDaemon(): string {
  const config = join(RUN_DIR, 'daemon.json');
  // Its own (empty) configuration: the host's /etc/docker/daemon.json is for the host's daemon.
  writeFileSync(config, '{}\n');
  const log = openSync(join(RUN_DIR, 'dockerd.log'), 'a');
  try {
    const child = spawn(
      findTool('nsenter') as string,
      [
        `--net=${netnsPath(LAB_NAMESPACE)}`,
        '--',
        findTool('dockerd') as string,
        ...['--config-file', config, '--storage-driver', 'overlay2', '--data-root', DATA_DIR, '--exec-root', join(RUN_DIR, 'exec')],
        ...['--pidfile', join(RUN_DIR, 'dockerd.pid'), '-H', `unix://${LAB_SOCKET}`, '--cgroup-parent', CGROUP_PARENT, '--bip', LAB_BRIDGE],
      ],
      { detached: true, stdio: ['ignore', log, log] },
    );
    child.unref();
    if (child.pid === undefined) throw new UserError('could not start dockerd');
    return processIdentity(child.pid);
  } finally {
    closeSync(log);
  }
}

/** Wait until the daemon answers; resolves with the namespace's own address. */
async function waitUntilUp(state: DockerLabState): Promise<string> {
  const docker = dockerAt(state.socket);
  const never = new AbortController().signal;
  const until = Date.now() + START_TIMEOUT_MS;
  while (!(await answers(docker, 1000))) {
    if (!identityAlive(state.daemon) || Date.now() > until) {
      const log = readFileSync(join(RUN_DIR, 'dockerd.log'), 'utf8').trim().split('\n').slice(-3).join(' / ');
      throw new UserError(`the lab's dockerd ${identityAlive(state.daemon) ? 'did not answer within 60 s' : 'exited'}: ${log}`);
    }
    await abortableSleep(100, never);
  }
  return LAB_ADDRESS;
}

async function namespaceExists(): Promise<boolean> {
  return (await ipNetns(['list'])).split('\n').some((line) => line.trim().split(/\s+/)[0] === LAB_NAMESPACE);
}

/** Remove the lab; idempotent. */
async function down(): Promise<string[]> {
  ensureRoot('faultline lab docker down');
  const state = readLabState();
  const hadNamespace = await namespaceExists();
  if (!state && !hadNamespace && !existsSync(RUN_DIR) && !existsSync(DATA_DIR)) return ['no faultline Docker lab here'];
  if (state?.daemon && labAlive(state)) {
    await removeContainers(state.socket);
    await stopDaemon(state.daemon);
  }
  // Whatever is still inside: containerd and its shims after a daemon that died.
  if (hadNamespace) {
    for (const pid of (await ipNetns(['pids', LAB_NAMESPACE]).catch(() => '')).split(/\s+/).filter(Boolean)) signalQuietly(Number(pid), 'SIGKILL');
  }
  killCgroupProcesses();
  await unmountUnder([RUN_DIR, DATA_DIR]);
  if (hadNamespace) await ipNetns(['del', LAB_NAMESPACE]);
  removeCgroups();
  rmSync(RUN_DIR, { recursive: true, force: true });
  rmSync(DATA_DIR, { recursive: true, force: true });
  for (const dir of [...(state?.created ?? [])].reverse()) {
    try {
      rmdirSync(dir); // Only when empty: a netns lab may use /run/faultline meanwhile.
    } catch {
      // Not empty, or gone.
    }
  }
  return [`faultline Docker lab removed (namespace ${LAB_NAMESPACE}, ${RUN_DIR}, ${DATA_DIR})`];
}

/** Remove every container of the lab daemon at once, so none outlives it. */
async function removeContainers(socket: string): Promise<void> {
  const docker = dockerAt(socket);
  if (!(await answers(docker))) return;
  const all = await docker.listContainers({ all: true });
  await Promise.allSettled(all.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true })));
}

async function stopDaemon(identity: string): Promise<void> {
  const pid = Number(identity.split('@')[0]);
  const never = new AbortController().signal;
  signalQuietly(pid, 'SIGTERM');
  const until = Date.now() + STOP_GRACE_MS;
  while (identityAlive(identity) && Date.now() < until) await abortableSleep(100, never);
  if (identityAlive(identity)) signalQuietly(pid, 'SIGKILL');
  while (identityAlive(identity)) await abortableSleep(50, never);
}

/** The lab's cgroup directories, one per hierarchy that has one. */
function labCgroups(): string[] {
  let hierarchies: string[];
  try {
    hierarchies = readdirSync(CGROUP_ROOT);
  } catch {
    return [];
  }
  return hierarchies.map((h) => join(CGROUP_ROOT, h, CGROUP_PARENT)).filter((dir) => existsSync(dir));
}

/** SIGKILL container processes left in the lab's cgroups (after a daemon killed with -9). */
function killCgroupProcesses(): void {
  for (const dir of labCgroups()) {
    for (const file of cgroupFiles(dir, 'cgroup.procs')) {
      for (const pid of readFileSync(file, 'utf8').split('\n').filter(Boolean)) signalQuietly(Number(pid), 'SIGKILL');
    }
  }
}

/** Every file named `name` in cgroup `dir` and below. */
function cgroupFiles(dir: string, name: string): string[] {
  const out = existsSync(join(dir, name)) ? [join(dir, name)] : [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) for (const file of cgroupFiles(join(dir, entry.name), name)) out.push(file);
  return out;
}

/** rmdir the lab's cgroups, children first (a cgroup is removed with rmdir, never rm -r). */
function removeCgroups(): void {
  const remove = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) remove(join(dir, entry.name));
    try {
      rmdirSync(dir);
    } catch {
      // Still busy: a process that has not died yet; `down` again removes it.
    }
  };
  for (const dir of labCgroups()) remove(dir);
}

/** Lazily unmount whatever is mounted under `roots` (overlays and namespace files of a daemon that died), deepest first. */
async function unmountUnder(roots: readonly string[]): Promise<void> {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => roots.some((root) => point === root || point.startsWith(`${root}/`)))
    .sort((a, b) => b.length - a.length);
  for (const point of mounts) await run('umount', ['-l', point]).catch(() => undefined);
}

export const dockerLab: HostLab = {
  description: `a Docker daemon in a network namespace of its own (${LAB_NAMESPACE}; root): up prints the DOCKER_HOST to export, down removes all of it`,
  up: () => up(),
  down: () => down(),
};

/** For `faultline clean`: a lab whose daemon died is removed (a running one is the user's). */
export async function removeDeadLab(): Promise<string[]> {
  const state = readLabState();
  if (!state || labAlive(state)) return [];
  await down();
  return [`removed the faultline Docker lab, whose dockerd is gone`];
}
