/**
 * SSH labs for tests, brought up and down through the CLI (`faultline lab ssh up|down`) as a user
 * does, and what a lab's hosts hold once runs are over: run directories, nft tables, node
 * processes. Each lab has its own hosts file, so test files can have labs at the same time.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readHostsFile } from '../../src/hosts/ssh/inventory.js';
import { findTool } from '../../src/net/netns/exec.js';
import { LAB_STATE_ROOT, readLab } from '../../src/net/netns/lab.js';
import { runCli } from '../helpers/cli.js';
import { namespaces, netnsUnsupported } from '../net/netns/helpers.js';

/** Why an SSH lab cannot be brought up here, or `undefined`. */
export function sshLabUnsupported(): string | undefined {
  const netns = netnsUnsupported();
  if (netns !== undefined) return netns;
  const missing = [['/usr/sbin/sshd', existsSync('/usr/sbin/sshd')] as const, ['ssh-keygen', findTool('ssh-keygen') !== undefined] as const].filter(([, ok]) => !ok);
  return missing.length > 0 ? `missing ${missing.map(([t]) => t).join(', ')} (apt-get install openssh-server)` : undefined;
}

/** A hosts file path of this test process's own (the lab writes it; `down` removes it). */
export function labHostsFile(name: string): string {
  return join(tmpdir(), `faultline-ssh-lab-${process.pid}-${name}.json`);
}

/** What is left on the hosts of the lab of `file` (which must still be up): runs, nft tables, node processes. */
export function remoteLeftovers(file: string): string[] {
  const parsed = readHostsFile(file);
  const lab = parsed.lab === undefined ? undefined : readLab(parsed.lab);
  if (!lab) return [`the lab of ${file} is gone`];
  const left: string[] = [];
  for (const host of parsed.hosts) {
    const runs = join(host.dir ?? '', 'runs');
    if (existsSync(runs)) for (const run of readdirSync(runs)) left.push(`${host.name}: run directory ${run}`);
    const ns = lab.nodes[host.name]?.ns as string;
    const tables = execFileSync('ip', ['netns', 'exec', ns, 'nft', 'list', 'tables'], { encoding: 'utf8' });
    for (const t of tables.split('\n')) if (t.includes('faultline')) left.push(`${host.name}: ${t}`);
  }
  // Node processes and fault proxies run from the trees under the lab's state directory.
  for (const cmd of labProcesses(lab.id)) if (cmd.includes('/trees/')) left.push(cmd);
  return left;
}

/** Command lines of processes that run from lab `id`'s state directory (sshd, nodes). */
function labProcesses(id: string): string[] {
  const mark = `${join(LAB_STATE_ROOT, id)}/`;
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(mark)) out.push(`process ${pid}: ${cmd.trim()}`);
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

/** What is left of lab `id` after `down`: namespaces, state, processes. */
export function labLeftovers(id: string): string[] {
  const left = namespaces().filter((ns) => ns.startsWith(`fl-${id}-`));
  if (existsSync(join(LAB_STATE_ROOT, id))) left.push(join(LAB_STATE_ROOT, id));
  return [...left, ...labProcesses(id)];
}

/** A lab brought up on `file`, with `down()` that checks it went. */
export async function sshLabUp(file: string, hosts = 5): Promise<{ id: string; down(): Promise<string[]> }> {
  rmSync(file, { force: true });
  const up = await runCli(['lab', 'ssh', 'up', '--hosts', String(hosts), '--hosts-file', file]);
  if (up.code !== 0) throw new Error(`lab ssh up failed (${up.code}): ${up.stderr}`);
  const id = readHostsFile(file).lab as string;
  return {
    id,
    async down() {
      const down = await runCli(['lab', 'ssh', 'down', '--hosts-file', file]);
      if (down.code !== 0) throw new Error(`lab ssh down failed (${down.code}): ${down.stderr}`);
      return [...labLeftovers(id), ...(existsSync(file) ? [file] : [])];
    },
  };
}

/** The conformance suite's lab: its hosts file, and what was left on its hosts and of it. */
export const CONFORMANCE_HOSTS_FILE = labHostsFile('conformance');
let conformanceLeft: string[] = [];

/** Run `fn` with the conformance lab up, then take it down, noting what was left on the hosts and of the lab. */
export async function withSshLab<T>(fn: (env: NodeJS.ProcessEnv) => Promise<T>): Promise<T> {
  const lab = await sshLabUp(CONFORMANCE_HOSTS_FILE);
  try {
    const result = await fn({});
    conformanceLeft = remoteLeftovers(CONFORMANCE_HOSTS_FILE);
    return result;
  } finally {
    for (const item of await lab.down()) conformanceLeft.push(item);
  }
}

/** What the conformance run left (on the lab's hosts, and of the lab once down). */
export function sshLabLeftovers(): string[] {
  return conformanceLeft;
}
