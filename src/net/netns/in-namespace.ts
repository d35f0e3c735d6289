/**
 * Why: in `--net netns` mode a process's network namespace decides where its packets go. Nodes
 * must start inside their own namespace, and the harness side (clients, readiness probes) must
 * run inside the lab's control namespace: from the root namespace a connection to a lab address
 * is not refused but routed off the machine, which is a network-safety violation. This module
 * says how to start a process in a namespace (`nsenter --net`, which execs, so the pid is the
 * real process's and /sys is left alone, unlike `ip netns exec`), how faultline re-executes
 * itself there, and checks, before the first connection, that a process really is there.
 */
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import type { NodeLaunch } from '../../api/cluster.js';
import { findTool, netnsPath } from './exec.js';

/**
 * Set for a faultline process re-executed in a lab's control namespace: `<lab id>:<control
 * address>`. The child reads the lab from /run/faultline/<id>/lab.json and must call
 * {@link assertInNamespace} with the address before dialing anything.
 */
export const CONTROL_ENV = 'FAULTLINE_NETNS_CONTROL';

/** Thrown when a process that is about to dial lab addresses is not in the lab. */
export class NotInNamespaceError extends Error {
  override readonly name = 'NotInNamespaceError';
}

/**
 * Wrap a launch so it runs in namespace `ns`: `nsenter --net=/var/run/netns/<ns> -- <command>
 * <args>`. nsenter execs the command, so the pid a tether reports is the node's own.
 * @throws when `nsenter` is not installed.
 */
export function launchInNamespace(launch: NodeLaunch, ns: string): NodeLaunch {
  const nsenter = findTool('nsenter');
  if (!nsenter) throw new Error('`nsenter` not found; install util-linux (apt-get install util-linux)');
  return {
    command: nsenter,
    args: [`--net=${netnsPath(ns)}`, '--', launch.command, ...launch.args],
    ...(launch.env ? { env: launch.env } : {}),
  };
}

/**
 * How to run this very program again inside namespace `ns` (same Node, same flags such as
 * tsx's `--import`, same script and arguments unless `argv` is given), with {@link CONTROL_ENV}
 * set so the child knows it is the control side of lab `labId`.
 */
export function selfInNamespace(
  ns: string,
  labId: string,
  controlAddress: string,
  argv: readonly string[] = process.argv.slice(1),
): NodeLaunch {
  const env = { [CONTROL_ENV]: `${labId}:${controlAddress}` };
  return launchInNamespace({ command: process.execPath, args: [...process.execArgv, ...argv], env }, ns);
}

/** `{ labId, address }` from {@link CONTROL_ENV}, when this process was started as a control side. */
export function controlFromEnv(env: NodeJS.ProcessEnv = process.env): { labId: string; address: string } | undefined {
  const value = env[CONTROL_ENV];
  const match = value ? /^([0-9a-f]{6}):(\d+\.\d+\.\d+\.\d+)$/.exec(value) : null;
  return match ? { labId: match[1] as string, address: match[2] as string } : undefined;
}

/**
 * Whether this process's network namespace has an IPv4 default route (read from /proc/net/route,
 * which shows the reader's namespace). Lab namespaces have none: only their /24 is reachable.
 */
export function hasDefaultRoute(): boolean {
  let table: string;
  try {
    table = readFileSync('/proc/net/route', 'utf8');
  } catch {
    return true; // Cannot tell: assume the worst.
  }
  // Columns: Iface Destination Gateway Flags RefCnt Use Metric Mask ...; default = 0/0.
  return table
    .split('\n')
    .slice(1)
    .some((line) => {
      const cols = line.trim().split(/\s+/);
      return cols.length > 7 && cols[1] === '00000000' && cols[7] === '00000000';
    });
}

/**
 * Check that this process runs in the namespace that holds `address` (a lab's control address)
 * and that its namespace has no default route, so no connection it makes can leave the lab.
 * Call it before the first connection of the harness side in `--net netns` mode.
 * @throws NotInNamespaceError saying how to get there.
 */
export function assertInNamespace(address: string): void {
  const here = Object.values(networkInterfaces())
    .flat()
    .some((info) => info?.address === address);
  if (!here) {
    throw new NotInNamespaceError(
      `refusing to dial lab addresses: no interface of this process has ${address}, so it is not in the ` +
        `lab's control namespace (start it with nsenter --net=/var/run/netns/fl-<id>-ctl)`,
    );
  }
  if (hasDefaultRoute()) {
    throw new NotInNamespaceError('refusing to dial lab addresses: this namespace has a default route, so traffic could leave the lab');
  }
}
