/**
 * Which machines `--hosts ssh` runs nodes on and how to log in to each: a hosts file (JSON), or
 * `--nodes a.example,b.example` with `--ssh-user`, `--ssh-key` and friends. Options given on the
 * command line win over the hosts file's per-host values, which win over its `defaults`.
 *
 * ```json
 * {
 *   "knownHosts": "known_hosts",
 *   "defaults": { "user": "root", "key": "~/.ssh/id_ed25519" },
 *   "hosts": [
 *     { "name": "n1", "address": "10.0.0.11", "port": 22, "user": "admin", "key": "keys/n1", "sudo": true,
 *       "dir": "/var/lib/faultline", "node": "/usr/local/bin/node" }
 *   ]
 * }
 * ```
 * Relative paths (keys, known hosts) are relative to the hosts file; `~` is the home directory.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parseNodes } from '../../runner/node-names.js';
import { UserError } from '../../user-error.js';

/** One machine, as the backend logs in to it. */
export interface SshHostConfig {
  /** The node's name (the run's node id). */
  name: string;
  /** Host name or IP address: where SSH connects, and where peers and clients reach the node. */
  address: string;
  port: number;
  user: string;
  /** Private key file (absolute path); the SSH agent and the default keys are tried without one. */
  key?: string;
  /** Run commands that need root (firewall rules, tc) through `sudo -n`. */
  sudo: boolean;
  /** faultline's directory on the host (absolute, or relative to the user's home). */
  dir: string;
  /** The Node.js program on the host. */
  node: string;
}

export interface SshInventory {
  hosts: SshHostConfig[];
  /** The known_hosts file host keys are checked against. */
  knownHosts: string;
  /** Refuse hosts whose key is not in {@link knownHosts} (on by default). */
  strictHostKeys: boolean;
  /** The id of the `faultline lab ssh` lab the hosts file describes, when it is one. */
  lab?: string;
  /** The hosts file, when one was given. */
  file?: string;
}

/** The options of `--hosts ssh` (HostBackend.options), by name. */
export const SSH_OPTIONS = {
  'hosts-file': 'A JSON file naming each host (name, address, port, user, key, dir); see the README',
  'ssh-user': 'User to log in as on every host (default: the hosts file, else root)',
  'ssh-key': 'Private key file (default: the hosts file, else the SSH agent and ~/.ssh/id_*)',
  'ssh-port': 'SSH port of every host (default: the hosts file, else 22)',
  'ssh-sudo': 'Run firewall and tc commands through sudo -n (for a user that is not root)',
  'ssh-strict-host-keys': 'Refuse hosts whose key is not in the known hosts file (default true; false accepts unknown hosts, never a changed key)',
  'ssh-known-hosts': 'The known_hosts file (default: the hosts file, else ~/.ssh/known_hosts)',
  'ssh-dir': "faultline's directory on each host (default: the hosts file, else ~/faultline)",
} as const;

export const DEFAULT_DIR = 'faultline';
const DEFAULT_USER = 'root';
const DEFAULT_PORT = 22;
const HOST_FIELDS = ['name', 'address', 'port', 'user', 'key', 'sudo', 'dir', 'node'];

type Options = Readonly<Record<string, string>>;

/** `~/x` and paths relative to `base`, made absolute. */
export function expandPath(path: string, base: string): string {
  if (path === '~' || path.startsWith('~/')) return join(homedir(), path.slice(1));
  return isAbsolute(path) ? path : resolve(base, path);
}

function fail(where: string, what: string): never {
  throw new UserError(`${where}: ${what}`);
}

function bool(value: string, option: string): boolean {
  if (value === 'true' || value === 'yes' || value === '1') return true;
  if (value === 'false' || value === 'no' || value === '0') return false;
  throw new UserError(`--${option} must be true or false, not '${value}'`);
}

function port(value: unknown, where: string): number {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 65_535) fail(where, `port must be a whole number from 1 to 65535, not ${JSON.stringify(value)}`);
  return n;
}

/** What one host entry (or `defaults`) of the file says, checked field by field. */
function fields(raw: unknown, where: string): Partial<Omit<SshHostConfig, 'port'>> & { port?: number } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(where, 'must be an object');
  const entry = raw as Record<string, unknown>;
  const unknown = Object.keys(entry).find((k) => !HOST_FIELDS.includes(k));
  if (unknown !== undefined) fail(where, `unknown field '${unknown}' (fields: ${HOST_FIELDS.join(', ')})`);
  const out: Partial<Omit<SshHostConfig, 'port'>> & { port?: number } = {};
  for (const name of ['name', 'address', 'user', 'key', 'dir', 'node'] as const) {
    const v = entry[name];
    if (v === undefined) continue;
    if (typeof v !== 'string' || v === '') fail(where, `${name} must be a non-empty string`);
    out[name] = v;
  }
  if (entry.port !== undefined) out.port = port(entry.port, where);
  if (entry.sudo !== undefined) {
    if (typeof entry.sudo !== 'boolean') fail(where, 'sudo must be true or false');
    out.sudo = entry.sudo;
  }
  return out;
}

interface HostsFile {
  knownHosts?: string;
  strictHostKeys?: boolean;
  lab?: string;
  defaults: ReturnType<typeof fields>;
  hosts: (ReturnType<typeof fields> & { name: string })[];
}

/** Read and check a hosts file. @throws UserError naming the file and what is wrong. */
export function readHostsFile(file: string): HostsFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new UserError(`--hosts-file ${file}: ${why}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(`--hosts-file ${file}`, 'must be a JSON object with a "hosts" list');
  const top = raw as Record<string, unknown>;
  const allowed = ['hosts', 'defaults', 'knownHosts', 'strictHostKeys', 'lab'];
  const extra = Object.keys(top).find((k) => !allowed.includes(k));
  if (extra !== undefined) fail(`--hosts-file ${file}`, `unknown field '${extra}' (fields: ${allowed.join(', ')})`);
  if (!Array.isArray(top.hosts) || top.hosts.length === 0) fail(`--hosts-file ${file}`, '"hosts" must be a non-empty list');
  const hosts = top.hosts.map((h, i) => {
    const where = `--hosts-file ${file}, host ${i + 1}`;
    const entry = fields(h, where);
    if (!entry.name) fail(where, 'needs a "name" (the node id)');
    parseNodes(entry.name); // A name the runner accepts (letters, digits, _ . -).
    return { ...entry, name: entry.name };
  });
  const names = hosts.map((h) => h.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) fail(`--hosts-file ${file}`, `names host ${twice} twice`);
  for (const key of ['knownHosts', 'lab'] as const) {
    if (top[key] !== undefined && typeof top[key] !== 'string') fail(`--hosts-file ${file}`, `${key} must be a string`);
  }
  if (top.strictHostKeys !== undefined && typeof top.strictHostKeys !== 'boolean') fail(`--hosts-file ${file}`, 'strictHostKeys must be true or false');
  return {
    ...(typeof top.knownHosts === 'string' && { knownHosts: top.knownHosts }),
    ...(typeof top.strictHostKeys === 'boolean' && { strictHostKeys: top.strictHostKeys }),
    ...(typeof top.lab === 'string' && { lab: top.lab }),
    defaults: top.defaults === undefined ? {} : fields(top.defaults, `--hosts-file ${file}, defaults`),
    hosts,
  };
}

/** Node names the hosts file names, in its order; `undefined` without a hosts file. */
export function inventoryNames(options: Options): string[] | undefined {
  const file = options['hosts-file'];
  return file === undefined ? undefined : readHostsFile(file).hosts.map((h) => h.name);
}

/**
 * The hosts of a run with nodes `nodes`: from the hosts file when one is given (every node must
 * be named there), else each node name is the host's address.
 * @throws UserError on a bad file or option, or a node the file does not name.
 */
export function resolveInventory(nodes: readonly string[], options: Options): SshInventory {
  const file = options['hosts-file'];
  const parsed = file !== undefined ? readHostsFile(file) : undefined;
  const base = file !== undefined ? dirname(resolve(file)) : process.cwd();
  const cli = {
    ...(options['ssh-user'] !== undefined && { user: options['ssh-user'] }),
    ...(options['ssh-key'] !== undefined && { key: options['ssh-key'] }),
    ...(options['ssh-port'] !== undefined && { port: port(options['ssh-port'], '--ssh-port') }),
    ...(options['ssh-sudo'] !== undefined && { sudo: bool(options['ssh-sudo'], 'ssh-sudo') }),
    ...(options['ssh-dir'] !== undefined && { dir: options['ssh-dir'] }),
  };
  const hosts = nodes.map((name): SshHostConfig => {
    const entry = parsed ? parsed.hosts.find((h) => h.name === name) : { name };
    if (!entry) fail(`--hosts-file ${file}`, `names no host ${name} (it names ${parsed?.hosts.map((h) => h.name).join(', ')})`);
    const merged = { ...parsed?.defaults, ...entry, ...cli };
    // A key from the command line is relative to where faultline runs, one from the file to the file.
    const keyBase = cli.key !== undefined ? process.cwd() : base;
    return {
      name,
      address: merged.address ?? name,
      port: merged.port ?? DEFAULT_PORT,
      user: merged.user ?? DEFAULT_USER,
      ...(merged.key !== undefined && { key: expandPath(merged.key, keyBase) }),
      sudo: merged.sudo ?? false,
      dir: merged.dir ?? DEFAULT_DIR,
      node: merged.node ?? 'node',
    };
  });
  const addresses = hosts.map((h) => h.address);
  const shared = addresses.find((a, i) => addresses.indexOf(a) !== i);
  if (shared !== undefined) {
    throw new UserError(`--hosts ssh: two nodes on one host (${shared}): partitions act on host addresses, so give each node a host of its own`);
  }
  const knownHosts = options['ssh-known-hosts'] !== undefined
    ? expandPath(options['ssh-known-hosts'], process.cwd())
    : parsed?.knownHosts !== undefined ? expandPath(parsed.knownHosts, base) : join(homedir(), '.ssh', 'known_hosts');
  const strict = options['ssh-strict-host-keys'] !== undefined ? bool(options['ssh-strict-host-keys'], 'ssh-strict-host-keys') : (parsed?.strictHostKeys ?? true);
  for (const host of hosts) {
    if (host.key !== undefined && !existsSync(host.key)) throw new UserError(`host ${host.name}: no key file ${host.key}`);
  }
  return {
    hosts,
    knownHosts,
    strictHostKeys: strict,
    ...(parsed?.lab !== undefined && { lab: parsed.lab }),
    ...(file !== undefined && { file: resolve(file) }),
  };
}
