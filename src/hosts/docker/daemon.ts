/**
 * Which Docker daemon `--hosts docker` talks to, and the labels that mark what faultline makes
 * there. The daemon is the one `DOCKER_HOST` names (`unix:///path`), else the usual
 * `/var/run/docker.sock`, as the docker CLI does. It must run on this machine: faults enter each
 * container's network namespace from here (`nsenter --net=/proc/<pid>/ns/net`), and node data
 * directories and clock files are bind-mounted from here, so a `tcp://` or `ssh://` daemon is
 * refused in one line rather than half-working.
 */
import type Docker from 'dockerode';
import { lazyRequire } from '../../lazy-require.js';
import { resolve } from 'node:path';
import { UserError } from '../../user-error.js';

/** The daemon's socket when DOCKER_HOST is unset. */
export const DEFAULT_SOCKET = '/var/run/docker.sock';
/** How long a daemon may take to answer a ping before it counts as unreachable. */
const PING_MS = 5000;

/** Labels on everything faultline creates in a daemon. */
export const LABELS = {
  /** The run's short id (names `fl-<id>-...`); on containers, networks and build containers. */
  run: 'faultline.run',
  /** The run's results directory. */
  runDir: 'faultline.run-dir',
  /** The harness process (`<pid>@<start>`, src/process-identity.ts) that owns the run. */
  harness: 'faultline.harness',
  /** The machine the harness runs on (its pid means nothing elsewhere). */
  machine: 'faultline.machine',
  /** On faultline's images: what they hold (`base`, `node`), cached by content. */
  image: 'faultline.image',
} as const;

/** Where the daemon is, from DOCKER_HOST. */
export interface DaemonAddress {
  /** As the user would write DOCKER_HOST. */
  readonly url: string;
  /** The unix socket, for a daemon on this machine; undefined for tcp:// and ssh://. */
  readonly socket: string | undefined;
}

/** The daemon DOCKER_HOST names (the default socket when unset). */
export function daemonAddress(env: NodeJS.ProcessEnv = process.env): DaemonAddress {
  const host = env.DOCKER_HOST?.trim();
  if (!host) return { url: `unix://${DEFAULT_SOCKET}`, socket: DEFAULT_SOCKET };
  if (host.startsWith('unix://')) {
    const socket = resolve(host.slice('unix://'.length) || DEFAULT_SOCKET);
    return { url: `unix://${socket}`, socket };
  }
  return { url: host, socket: undefined };
}

/**
 * Refuse a daemon that is not on this machine.
 * @throws UserError naming DOCKER_HOST.
 */
export function checkLocal(address: DaemonAddress): string {
  if (address.socket === undefined) {
    throw new UserError(
      `--hosts docker needs a Docker daemon on this machine (DOCKER_HOST=unix://...), not ${address.url}: ` +
        `faultline enters each container's network namespace and mounts its data directory from here`,
    );
  }
  return address.socket;
}

/** The dockerode constructor, loaded when a daemon is first dialled. */
const dockerode = lazyRequire<typeof Docker>('dockerode');

/** A client of the daemon at `socket` (no timeout: log streams and waits last as long as containers). */
export function dockerAt(socket: string): Docker {
  return new (dockerode())({ socketPath: socket });
}

/** Whether the daemon at `socket` answers within a few seconds. */
export async function answers(docker: Docker, ms = PING_MS): Promise<boolean> {
  try {
    // dockerode takes an abort signal here; its types do not say so.
    await (docker.ping as unknown as (opts: { abortSignal: AbortSignal }) => Promise<unknown>).call(docker, { abortSignal: AbortSignal.timeout(ms) });
    return true;
  } catch {
    return false;
  }
}

/**
 * The daemon of this run, checked to answer.
 * @param hint what else to try when it does not (the lab's DOCKER_HOST when one is up).
 * @throws UserError in one line when it is remote or does not answer.
 */
export async function connectDaemon(hint?: string): Promise<Docker> {
  const address = daemonAddress();
  const docker = dockerAt(checkLocal(address));
  if (await answers(docker)) return docker;
  const instead = hint ?? 'start a lab daemon with `faultline lab docker up` (root) and export the DOCKER_HOST it prints';
  throw new UserError(`no Docker daemon answers at ${address.url}: use the embedded default (--hosts local), or ${instead}`);
}

/** The HTTP status of a daemon error (404 for a missing container), if it has one. */
export function statusOf(err: unknown): number | undefined {
  const code = (err as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** Run `op`, ignoring "no such ..." (404), "already in that state" (304) and "not running" (409) answers. */
export async function idempotent(op: () => Promise<unknown>): Promise<void> {
  try {
    await op();
  } catch (err) {
    const status = statusOf(err);
    if (status !== 404 && status !== 304 && status !== 409) throw err;
  }
}
