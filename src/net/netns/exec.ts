/**
 * Why: every change the namespaced mode makes to the network goes through a few tools (`ip`,
 * `nft`, `iptables-restore`, `tc`, `nsenter`). Running them from one place, with argument arrays
 * and never a shell string, rules out quoting bugs and gives every failure one readable line
 * (which command, which exit, what it printed). It also makes the network-safety rule
 * structural: the firewall and traffic-control helpers only exist in a form that runs inside a
 * named namespace, and `ip` is only exposed as `ip -n <ns>` or `ip netns ...`, so nothing here
 * can change the root namespace's interfaces, routes or firewall.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Where `ip netns` keeps its namespace handles (`/var/run` is `/run` on Debian). */
export const NETNS_DIR = '/var/run/netns';

/** How long one command may take before it is killed. */
const DEFAULT_TIMEOUT_MS = 15_000;

/** System directories searched after PATH: a non-login root shell may lack the sbin ones. */
const SYSTEM_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/local/bin', '/usr/bin', '/bin'];

/** The Debian package that provides each tool, for "install it" messages. */
const PACKAGES: Readonly<Record<string, string>> = {
  ip: 'iproute2',
  tc: 'iproute2',
  nft: 'nftables',
  iptables: 'iptables',
  'iptables-save': 'iptables',
  'iptables-restore': 'iptables',
  nsenter: 'util-linux',
  ping: 'iputils-ping',
};

/** A tool that failed, was missing or timed out; the message names the command and the cause. */
export class CommandError extends Error {
  override readonly name = 'CommandError';

  constructor(
    /** The command line, tool first. */
    readonly command: readonly string[],
    /** Exit code, `'ENOENT'` when the tool is missing, or the signal that ended it. */
    readonly code: number | string | null,
    /** What the tool printed on stderr, trimmed. */
    readonly stderr: string,
  ) {
    const why =
      code === 'ENOENT'
        ? `not found; install ${PACKAGES[command[0] ?? ''] ?? 'it'} (apt-get install ${PACKAGES[command[0] ?? ''] ?? command[0]})`
        : `failed (${typeof code === 'number' ? `exit ${code}` : (code ?? 'unknown')})${stderr ? `: ${firstLines(stderr)}` : ''}`;
    super(`\`${command.join(' ')}\` ${why}`);
  }
}

function firstLines(text: string): string {
  return text.trim().split('\n').slice(0, 3).join(' / ');
}

/** The absolute path of `tool` (PATH first, then the system directories), or `undefined`. */
export function findTool(tool: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...SYSTEM_DIRS];
  for (const dir of dirs) {
    const path = join(dir, tool);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/** Options for {@link run}. */
export interface RunOptions {
  /** Written to the tool's stdin (e.g. an `nft -f -` script); stdin is closed either way. */
  input?: string;
  timeoutMs?: number;
}

/**
 * Run `tool` with `args` (no shell) and resolve with its stdout.
 * @throws CommandError when the tool is missing, exits non-zero or times out.
 */
export function run(tool: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
  const command = [tool, ...args];
  const path = findTool(tool);
  if (!path) return Promise.reject(new CommandError(command, 'ENOENT', ''));
  return new Promise((resolve, reject) => {
    const child = execFile(
      path,
      [...args],
      { timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const e = err as NodeJS.ErrnoException & { code?: number | string; signal?: string | null; killed?: boolean };
        const code = e.killed ? `timed out after ${opts.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms` : (e.code ?? e.signal ?? null);
        reject(new CommandError(command, code, stderr || e.message));
      },
    );
    child.stdin?.on('error', () => undefined); // A tool that exits early closes its stdin; the exit code tells.
    child.stdin?.end(opts.input ?? '');
  });
}

/** Namespace names faultline accepts: a file name in {@link NETNS_DIR}, nothing that escapes it. */
const NS_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
/** A process's own namespace, e.g. a container's (`/proc/<pid>/ns/net`), which has no name. */
const PROCESS_NS = /^\/proc\/[1-9]\d*\/ns\/net$/;

/**
 * The handle of namespace `ns` for `nsenter --net=`: a name under {@link NETNS_DIR}, or a
 * process's namespace given as `/proc/<pid>/ns/net` (how a container's is entered from the host).
 * @throws on anything else.
 */
export function netnsPath(ns: string): string {
  if (PROCESS_NS.test(ns)) return ns;
  if (!NS_NAME.test(ns)) throw new Error(`invalid network namespace name '${ns}'`);
  return `${NETNS_DIR}/${ns}`;
}

/** Run `tool args` inside namespace `ns` via `nsenter --net` (which, unlike `ip netns exec`, leaves /sys alone). */
export function inNetns(ns: string, tool: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
  const path = findTool(tool);
  if (!path) return Promise.reject(new CommandError([tool, ...args], 'ENOENT', ''));
  return run('nsenter', [`--net=${netnsPath(ns)}`, '--', path, ...args], opts).catch((err: unknown) => {
    // Name the namespaced command, not nsenter, in the message.
    if (err instanceof CommandError) throw new CommandError([`[${ns}]`, tool, ...args], err.code, err.stderr);
    throw err;
  });
}

/** `ip -n <ns> args`: interfaces, addresses and routes of namespace `ns` only. */
export function ipIn(ns: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
  netnsPath(ns);
  return run('ip', ['-n', ns, ...args], opts);
}

/** `ip -n <ns> -batch -` with one command per line: many changes to one namespace in one process. */
export function ipBatchIn(ns: string, lines: readonly string[]): Promise<string> {
  return ipIn(ns, ['-batch', '-'], { input: `${lines.join('\n')}\n` });
}

/** `ip netns <args>`: add, del, list, pids. Manages namespace handles; touches no interface. */
export function ipNetns(args: readonly string[]): Promise<string> {
  const sub = args[0];
  if (sub !== 'add' && sub !== 'del' && sub !== 'list' && sub !== 'pids') throw new Error(`ip netns ${sub ?? ''} is not allowed here`);
  if (args[1] !== undefined) netnsPath(args[1]);
  return run('ip', ['netns', ...args]);
}

/** `nft -f -` inside `ns`: the script is applied as one transaction. */
export function nftIn(ns: string, script: string): Promise<string> {
  return inNetns(ns, 'nft', ['-f', '-'], { input: script });
}

/** `tc args` inside namespace `ns` (named or a process's): traffic control of that namespace only. */
export function tcIn(ns: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
  return inNetns(ns, 'tc', args, opts);
}

/** `iptables-restore` inside `ns`: replaces the namespace's filter table atomically. */
export function iptablesRestoreIn(ns: string, rules: string): Promise<string> {
  return inNetns(ns, 'iptables-restore', [], { input: rules });
}
