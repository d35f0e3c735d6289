/**
 * `faultline lab ssh up|down`: real SSH hosts on this machine, for trying and testing the SSH
 * backend without VMs. A netns lab (src/net/netns/lab.ts) gives each host a network namespace
 * with its own address on a bridge, and a control namespace for the harness; an OpenSSH server
 * runs inside each host's namespace with a generated host key, accepting a generated client key
 * for root. The lab writes a hosts file with a known_hosts file of those host keys, so
 * `faultline test --hosts ssh --hosts-file <file>` checks host keys as against real machines;
 * the file names the lab, so runs go into its control namespace (./enclave.ts). The hosts share
 * this machine's filesystem and pids, so each gets a faultline directory of its own. Everything
 * lives under the lab's state directory and goes with the lab on `down`.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { HostLab } from '../../api/host.js';
import { abortableSleep } from '../../abortable-sleep.js';
import { findTool, run } from '../../net/netns/exec.js';
import { launchInNamespace } from '../../net/netns/in-namespace.js';
import { createLab, destroyLab, ensureRoot, handOverLab, readLab, type Lab } from '../../net/netns/lab.js';
import { nodeNames, parseNodes } from '../../runner/node-names.js';
import { UserError } from '../../user-error.js';
import { readHostsFile } from './inventory.js';

const SSHD = '/usr/sbin/sshd';
const DEFAULT_HOSTS = 5;
const SSHD_READY_MS = 15_000;

/** The lab's SSH files: keys, sshd configs and logs, and each host's faultline directory. */
function sshDir(lab: Lab): string {
  return join(lab.stateDir, 'ssh');
}

function sshdConfig(dir: string, node: string, address: string): string {
  return [
    `ListenAddress ${address}:22`,
    `HostKey ${join(dir, node, 'host_key')}`,
    `PidFile ${join(dir, node, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    // The lab's files are in a directory sshd's owner checks would refuse.
    'StrictModes no',
    // Room for faultline's commands, SFTP and fault proxy on one connection.
    'MaxSessions 64',
    'MaxStartups 100',
    'Subsystem sftp internal-sftp',
    // A home of the host's own: root's shell start-up files on this machine are not the lab host's.
    `SetEnv HOME=${join(dir, node, 'home')}`,
    '',
  ].join('\n');
}

/** Start sshd in `node`'s namespace, detached (it outlives this process); resolves once it listens. */
async function startSshd(lab: Lab, dir: string, node: string): Promise<void> {
  const host = lab.nodes[node];
  if (!host) throw new Error(`lab ${lab.id} has no node ${node}`);
  const conf = join(dir, node, 'sshd_config');
  writeFileSync(conf, sshdConfig(dir, node, host.address));
  const logFile = join(dir, node, 'sshd.log');
  const log = openSync(logFile, 'a');
  try {
    const launch = launchInNamespace({ command: SSHD, args: ['-D', '-e', '-f', conf] }, host.ns);
    spawn(launch.command, launch.args, { detached: true, stdio: ['ignore', log, log] }).unref();
  } finally {
    closeSync(log);
  }
  const until = Date.now() + SSHD_READY_MS;
  const never = new AbortController().signal;
  while (!readFileSync(logFile, 'utf8').includes('Server listening')) {
    if (Date.now() > until) throw new UserError(`sshd of lab host ${node} did not start: ${readFileSync(logFile, 'utf8').trim().split('\n').pop() ?? 'no output'}`);
    await abortableSleep(50, never);
  }
}

function hostsCount(value: string | undefined): string[] {
  if (value === undefined) return nodeNames(DEFAULT_HOSTS);
  const nodes = parseNodes(value);
  if (nodes.length < 1) throw new UserError('--hosts must name at least one host');
  return nodes;
}

/** Build the lab for `nodes` and write its hosts file; resolves with the lab. */
async function up(nodes: string[], file: string): Promise<Lab> {
  if (process.getuid?.() !== 0) throw new UserError('faultline lab ssh needs root (it creates network namespaces and runs sshd in them)');
  ensureRoot();
  if (!existsSync(SSHD)) throw new UserError(`the ssh lab needs ${SSHD}: install it with apt-get install openssh-server`);
  if (!findTool('ssh-keygen')) throw new UserError('the ssh lab needs ssh-keygen: install it with apt-get install openssh-client');
  const lab = await createLab({ nodes });
  try {
    const dir = sshDir(lab);
    mkdirSync('/run/sshd', { recursive: true }); // sshd's privilege separation directory.
    const keygen = (path: string, comment: string): Promise<string> => run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path]);
    mkdirSync(dir, { recursive: true });
    await keygen(join(dir, 'client_key'), `faultline-lab-${lab.id}`);
    writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client_key.pub')));
    const known: string[] = [];
    for (const node of nodes) {
      mkdirSync(join(dir, node, 'faultline'), { recursive: true });
      mkdirSync(join(dir, node, 'home'), { recursive: true });
      await keygen(join(dir, node, 'host_key'), `faultline-lab-${lab.id}-${node}`);
      const [type, key] = readFileSync(join(dir, node, 'host_key.pub'), 'utf8').trim().split(/\s+/);
      known.push(`${lab.nodes[node]?.address} ${type} ${key}`);
    }
    writeFileSync(join(dir, 'known_hosts'), `${known.join('\n')}\n`);
    await Promise.all(nodes.map((node) => startSshd(lab, dir, node)));
    const hostsFile = {
      lab: lab.id,
      knownHosts: join(dir, 'known_hosts'),
      defaults: { user: 'root', key: join(dir, 'client_key') },
      hosts: nodes.map((name) => ({ name, address: lab.nodes[name]?.address, dir: join(dir, name, 'faultline') })),
    };
    writeFileSync(file, `${JSON.stringify(hostsFile, null, 2)}\n`);
    // The lab is no leftover while n1's sshd runs (faultline clean and --net netns runs remove dead labs).
    handOverLab(lab.id, Number(readFileSync(join(dir, nodes[0] as string, 'sshd.pid'), 'utf8').trim()));
    return lab;
  } catch (err) {
    await destroyLab(lab.id);
    throw err;
  }
}

function requireFile(options: Readonly<Record<string, string>>): string {
  const file = options['hosts-file'];
  if (file === undefined) throw new UserError('faultline lab ssh needs --hosts-file <file> (where the lab\'s hosts file goes)');
  return resolve(file);
}

export const sshLab: HostLab = {
  description: 'SSH hosts on this machine: a network namespace and sshd per host, a hosts file for --hosts ssh (root)',
  options: {
    hosts: { describe: `How many hosts (n1..nN), or their names (default ${DEFAULT_HOSTS})` },
    'hosts-file': { describe: 'The hosts file the lab writes (up) or removes with the lab (down)' },
  },
  async up(options) {
    const file = requireFile(options);
    if (existsSync(file)) throw new UserError(`${file} exists: take it down first (faultline lab ssh down --hosts-file ${file}) or name another file`);
    const nodes = hostsCount(options.hosts);
    const lab = await up(nodes, file);
    return [
      `ssh lab ${lab.id}: ${nodes.length} hosts (${nodes.join(', ')}) on ${lab.subnet}, sshd in each; harness side in ${lab.control.ns}`,
      `hosts file: ${file}`,
      `try: faultline test --hosts ssh --hosts-file ${file}`,
      `remove: faultline lab ssh down --hosts-file ${file}`,
    ];
  },
  async down(options) {
    const file = requireFile(options);
    if (!existsSync(file)) throw new UserError(`${file} does not exist: nothing to take down`);
    const id = readHostsFile(file).lab;
    if (id === undefined) throw new UserError(`${file} is not a lab's hosts file (it names no lab)`);
    const gone = readLab(id) === undefined;
    await destroyLab(id);
    rmSync(file, { force: true });
    return [gone ? `ssh lab ${id} was already gone; removed ${file}` : `removed ssh lab ${id} (namespaces, sshd, nodes, rules, keys) and ${file}`];
  },
};
