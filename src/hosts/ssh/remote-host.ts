/**
 * One host of an SSH run, once logged in: what it told us about itself (the harness's address
 * as it sees it, whether we are root, its Node.js), faultline's directory there and the run's
 * own directory under it, which the run's files (data, clock, log, pid and exit files) live in
 * and which goes at the end. Also what is left there by runs whose harness died, found by the
 * `harness` file each run writes, for `faultline clean` and for the next run on the host.
 */
import { hostname } from 'node:os';
import { identityAlive, processIdentity } from '../../process-identity.js';
import { UserError } from '../../user-error.js';
import { shq, type SshConnection } from './connection.js';

/** Oldest Node.js major version bundled nodes run on. */
export const MIN_NODE_MAJOR = 20;

export interface HostFacts {
  /** The harness's address as the host sees it (from SSH_CONNECTION). */
  harnessAddress: string;
  /** Whether the login user is root. */
  root: boolean;
  /** faultline's directory on the host, absolute. */
  base: string;
  /** `node --version` there, when Node.js is wanted. */
  nodeVersion?: string;
}

/** A run's directory on a host: `<base>/runs/<id>`. */
export function runDirOn(base: string, runId: string): string {
  return `${base}/runs/${runId}`;
}

/** Where a host's faultline directory is: absolute, or relative to the login's home. */
function baseDir(dir: string): string {
  return dir.startsWith('/') ? dir : `"$HOME"/${shq(dir.replace(/^~\/?/, ''))}`;
}

/**
 * Log in facts: the harness address, root or not, the base directory (made if missing), and
 * Node.js when `wantNode`. Checks sudo when the host says to use it.
 * @throws UserError with one line: Node.js missing or too old, sudo not allowed.
 */
export async function hostFacts(conn: SshConnection, wantNode: boolean): Promise<HostFacts> {
  const { host } = conn;
  const script = [
    `printf 'ssh=%s\\n' "$SSH_CONNECTION"`,
    `printf 'uid=%s\\n' "$(id -u)"`,
    `mkdir -p ${baseDir(host.dir)} && printf 'base=%s\\n' "$(cd ${baseDir(host.dir)} && pwd -P)"`,
    ...(wantNode ? [`printf 'node=%s\\n' "$(${shq(host.node)} --version 2>&1 | head -1)"`] : []),
  ].join('; ');
  const out = await conn.run(script, `looking around (${script.slice(0, 60)}...)`);
  const facts = Object.fromEntries(out.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  const harnessAddress = (facts.ssh ?? '').split(' ')[0] ?? '';
  if (!harnessAddress) throw new UserError(`host ${host.name}: sshd did not say where this connection comes from (SSH_CONNECTION is empty)`);
  if (!facts.base?.startsWith('/')) throw new UserError(`host ${host.name}: cannot make faultline's directory ${host.dir} there`);
  const root = facts.uid === '0';
  const result: HostFacts = { harnessAddress, root, base: facts.base };
  if (wantNode) {
    const version = facts.node ?? '';
    const major = /^v(\d+)\./.exec(version)?.[1];
    if (major === undefined) {
      throw new UserError(`host ${host.name} has no Node.js (${host.node} --version said '${version}'): install Node.js ${MIN_NODE_MAJOR} or newer there, or name its path as "node" in the hosts file`);
    }
    if (Number(major) < MIN_NODE_MAJOR) throw new UserError(`host ${host.name} has Node.js ${version}; bundled nodes need ${MIN_NODE_MAJOR} or newer there`);
    result.nodeVersion = version;
  }
  if (host.sudo && !root) {
    const sudo = await conn.exec('sudo -n true');
    if (sudo.code !== 0) {
      throw new UserError(
        `host ${host.name}: ${host.user} may not run sudo without a password (${sudo.stderr.trim().split('\n')[0] ?? 'sudo -n true failed'}); ` +
          'allow it in sudoers or log in as root',
      );
    }
  }
  return result;
}

/** Who runs a run: `<machine> <pid>@<start>` of the harness, written into the run's directory on each host. */
export function harnessMark(): string {
  return `${hostname()} ${processIdentity()}`;
}

/** Whether a run's `harness` mark names a harness that is gone (on this machine, so it can be told). */
export function harnessGone(mark: string): boolean {
  const [machine, identity] = mark.trim().split(' ');
  return machine === hostname() && identity !== undefined && !identityAlive(identity);
}
