/**
 * The faultline Docker lab for tests: brought up through the CLI (`faultline lab docker up`), as a
 * user does, and down again afterwards. The lab is one per machine, so test files that need it take
 * turns (a lock file); a lab that was already up (a developer's) is used and left up.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTool } from '../../src/net/netns/exec.js';
import { identityAlive, processIdentity } from '../../src/process-identity.js';
import { dockerAt, LABELS } from '../../src/hosts/docker/daemon.js';
import { LAB_NAMESPACE, LAB_SOCKET, labAlive, readLabState } from '../../src/hosts/docker/lab.js';
import { runCli } from '../helpers/cli.js';
import { namespaces } from '../net/netns/helpers.js';

/** Why the lab cannot be brought up here, or `undefined`. */
export function dockerUnsupported(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root';
  const missing = ['dockerd', 'containerd', 'runc', 'ip', 'nsenter', 'iptables-restore'].filter((t) => !findTool(t));
  return missing.length > 0 ? `missing ${missing.join(', ')} (apt-get install docker.io iproute2 iptables)` : undefined;
}

const LOCK = join(tmpdir(), 'faultline-docker-lab-test.lock');

/** Take the lab lock, waiting for another test file that holds it; a lock of a dead process is taken over. */
async function lock(): Promise<() => void> {
  for (;;) {
    try {
      const fd = openSync(LOCK, 'wx');
      writeSync(fd, processIdentity());
      closeSync(fd);
      return () => rmSync(LOCK, { force: true });
    } catch {
      const holder = existsSync(LOCK) ? readFileSync(LOCK, 'utf8').trim() : '';
      if (holder !== '' && !identityAlive(holder)) rmSync(LOCK, { force: true });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** The environment runs against the lab need. */
export const LAB_ENV = { DOCKER_HOST: `unix://${LAB_SOCKET}` };

/** The lab, held by one test file until `release` (which takes it down unless it was up before). */
export interface HeldLab {
  env: NodeJS.ProcessEnv;
  /** Whether this holder brought the lab up (and takes it down), rather than finding it up. */
  owned: boolean;
  release(): Promise<void>;
}

/** Bring the lab up (or use the one that is up) and hold it until `release`. */
export async function holdDockerLab(): Promise<HeldLab> {
  const unlock = await lock();
  try {
    const state = readLabState();
    const wasUp = state !== undefined && labAlive(state);
    if (!wasUp) {
      const up = await runCli(['lab', 'docker', 'up']);
      if (up.code !== 0 || !up.stdout.includes(`export DOCKER_HOST=unix://${LAB_SOCKET}`)) throw new Error(`lab docker up failed (${up.code}): ${up.stderr}`);
    }
    let released: Promise<void> | undefined;
    const release = async (): Promise<void> => {
      try {
        if (!wasUp) {
          const down = await runCli(['lab', 'docker', 'down']);
          if (down.code !== 0) throw new Error(`lab docker down failed (${down.code}): ${down.stderr}`);
        }
      } finally {
        unlock();
      }
    };
    return { env: LAB_ENV, owned: !wasUp, release: () => (released ??= release()) };
  } catch (err) {
    unlock();
    throw err;
  }
}

/** Run `fn` with the lab up, then take it down (unless it was up before). */
export async function withDockerLab<T>(fn: (env: NodeJS.ProcessEnv) => Promise<T>): Promise<T> {
  const lab = await holdDockerLab();
  try {
    return await fn(lab.env);
  } finally {
    await lab.release();
  }
}

/** Containers and networks on the lab's daemon whose labels match `label` (`faultline.run=<id>`). */
export async function onLabDaemon(label: string): Promise<string[]> {
  const docker = dockerAt(LAB_SOCKET);
  const filters = { label: [label] };
  const containers = await docker.listContainers({ all: true, filters });
  const networks = await docker.listNetworks({ filters });
  return [...containers.map((c) => `container ${c.Names.join(',')}`), ...networks.map((n) => `network ${n.Name}`)];
}

/**
 * What a run (its results directory `runDir`) left of itself on the lab's daemon while the lab
 * stays up (a developer's, or the one .ci/run started), else what is left of the lab once it is
 * down: its namespace, state directories, cgroups and mounts.
 */
export async function dockerLeftovers(runDir: string): Promise<string[]> {
  const state = readLabState();
  if (state !== undefined && labAlive(state)) return onLabDaemon(`${LABELS.runDir}=${runDir}`);
  return dockerLabLeftovers();
}

/** What is left of the lab once it is down: its namespace, state directories, cgroups and mounts. */
export function dockerLabLeftovers(): string[] {
  const left: string[] = namespaces().filter((ns) => ns === LAB_NAMESPACE);
  for (const dir of ['/run/faultline/docker-lab', '/var/lib/faultline/docker-lab']) if (existsSync(dir)) left.push(dir);
  const hierarchies = existsSync('/sys/fs/cgroup') ? readdirSync('/sys/fs/cgroup') : [];
  for (const dir of hierarchies.map((h) => join('/sys/fs/cgroup', h, 'faultline-docker-lab'))) if (existsSync(dir)) left.push(dir);
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) if (line.includes('/docker-lab')) left.push(line);
  return left;
}
