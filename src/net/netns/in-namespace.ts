/**
 * Why: in `--net netns` mode a process's network namespace decides where its packets go. Nodes
 * must start inside their own namespace, and the harness side (clients, readiness probes) must
 * run inside a control namespace of the lab: from the root namespace a connection to a lab address
 * is not refused but routed off the machine, which is a network-safety violation. This module
 * says how to start a process in a namespace (`nsenter --net`, which execs, so the pid is the
 * real process's and /sys is left alone, unlike `ip netns exec`), how faultline re-executes
 * itself there (src/runner/enclave-run.ts), and checks, before the first connection, that a
 * process really is there.
 */
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import type { CommandLaunch } from '../../api/cluster.js';
import { findTool, netnsPath } from './exec.js';

/** Thrown when a process that is about to dial lab addresses is not in the lab. */
export class NotInNamespaceError extends Error {
  override readonly name = 'NotInNamespaceError';
}

/**
 * Wrap a launch so it runs in namespace `ns`: `nsenter --net=/var/run/netns/<ns> -- <command>
 * <args>`. nsenter execs the command, so the pid a tether reports is the node's own.
 * @throws when `nsenter` is not installed.
 */
export function launchInNamespace(launch: CommandLaunch, ns: string): CommandLaunch {
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
 * tsx's `--import`, same script and arguments unless `argv` is given), with `env` added.
 */
export function selfInNamespace(ns: string, env: Record<string, string>, argv: readonly string[] = process.argv.slice(1)): CommandLaunch {
  return launchInNamespace({ command: process.execPath, args: [...process.execArgv, ...argv], env }, ns);
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
        `namespace the harness side must run in (faultline re-executes itself there; start it with nsenter --net=/var/run/netns/<namespace>)`,
    );
  }
  if (hasDefaultRoute()) {
    throw new NotInNamespaceError('refusing to dial lab addresses: this namespace has a default route, so traffic could leave the lab');
  }
}
