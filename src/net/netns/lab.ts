/**
 * Why: `--net netns` gives every node its own network namespace and address, so partitions and
 * shaping act on real packets of real sockets. A "lab" is everything that takes: a switch
 * namespace holding a bridge, one namespace per node and one control namespace for the
 * harness's own side, each joined to the bridge by a veth pair. The veth is created inside the
 * node namespace with its peer born in the switch namespace, so the root namespace never holds
 * a lab interface, and no lab namespace has a route off its /24. Every name carries the run id
 * (`fl-<id>-n1`, `fl-<id>-sw`, `fl-<id>-ctl`) and /run/faultline/<id>/ records the owner pid,
 * so the leftovers of a run that died (even by kill -9) can be found and removed later.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../user-error.js';
import { CommandError, findTool, ipBatchIn, ipNetns } from './exec.js';
import { harnessPid, identityAlive, processStartTime, signalQuietly } from '../../process-identity.js';

/** Where labs record their owner and layout; on tmpfs, so a reboot (which ends all labs) clears it. */
export const LAB_STATE_ROOT = '/run/faultline';
/** Subnet claims: one file per third octet of 10.200.X.0/24, holding the id of the lab that uses it. */
const CLAIMS_DIR = join(LAB_STATE_ROOT, 'subnets');
/** The range labs take their /24 from. */
const RANGE_PREFIX = '10.200';
/** Host part of the control namespace's address. */
const CONTROL_HOST = 254;
/** Node i gets host part i + 1, so at most this many nodes. */
const MAX_NODES = 200;
/** Lab ids: 6 lowercase hex digits, so interface names stay within 15 characters. */
const ID = /^[0-9a-f]{6}$/;
/** A namespace faultline made: `fl-<id>-<role>`. */
const LAB_NS = /^fl-([0-9a-f]{6})-(.+)$/;
/** A state directory without an owner file younger than this may be a lab being created. */
const CREATING_GRACE_MS = 10_000;
/** Node ids usable in a namespace name; `sw` and `ctl` are taken by the lab itself. */
const NODE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,30}$/;

/** One end point of the lab: a namespace with an address on the bridge. */
export interface LabHost {
  /** Network namespace name, e.g. `fl-1a2b3c-n1`. */
  ns: string;
  /** IPv4 address on the lab's /24, e.g. `10.200.7.1`. */
  address: string;
  /** The host's interface inside its namespace (always `eth0`). */
  iface: string;
  /** The veth peer in the switch namespace, a port of the bridge. */
  port: string;
}

/** A lab as built by {@link createLab}; also stored as /run/faultline/<id>/lab.json. */
export interface Lab {
  id: string;
  /** e.g. `10.200.7.0/24`. */
  subnet: string;
  /** The switch namespace, which holds the bridge and, in partitions, the nft table. */
  switchNs: string;
  bridge: string;
  /** The control namespace: where the harness's clients and probes run. */
  control: LabHost;
  /** Every node by id, in the order given. */
  nodes: Readonly<Record<string, LabHost>>;
  /** /run/faultline/<id>. */
  stateDir: string;
}

/** What {@link createLab} needs. */
export interface LabOptions {
  /** Node ids, e.g. `['n1', 'n2', 'n3']`. */
  nodes: readonly string[];
  /** A fixed id (6 hex digits); a fresh random one when omitted. */
  id?: string;
}

/** A lab whose owner is gone: what {@link listLeftoverLabs} reports. */
export interface LeftoverLab {
  id: string;
  /** Its namespaces still present. */
  namespaces: string[];
  /** The pid that made it, when recorded. */
  ownerPid?: number;
}

/**
 * Check that this process can build labs: root, with `ip` and `nsenter` installed.
 * @throws UserError with one line saying what is missing.
 */
export function ensureRoot(): void {
  if (process.getuid?.() !== 0) {
    throw new UserError('--net netns needs root (it creates network namespaces); run as root or use --net proxy');
  }
  for (const [tool, pkg] of [['ip', 'iproute2'], ['nsenter', 'util-linux']] as const) {
    if (!findTool(tool)) throw new UserError(`--net netns needs \`${tool}\`; install it with apt-get install ${pkg}`);
  }
}

/** Why a lab cannot hold these nodes (too many, duplicates, a name no namespace can have), or `undefined`. */
export function labNodesProblem(nodes: readonly string[]): string | undefined {
  if (nodes.length === 0 || nodes.length > MAX_NODES) return `a lab needs 1 to ${MAX_NODES} nodes, got ${nodes.length}`;
  if (new Set(nodes).size !== nodes.length) return `node ids must be distinct: ${nodes.join(', ')}`;
  const bad = nodes.find((node) => !NODE_ID.test(node) || node === 'sw' || node === 'ctl' || node === 'clients');
  return bad === undefined ? undefined : `node id '${bad}' cannot name a namespace (up to 31 letters, digits, _ . -; not sw, ctl or clients)`;
}

/** A fresh lab id: 6 random hex digits. */
export function newLabId(): string {
  return randomBytes(3).toString('hex');
}

/**
 * Build a lab: namespaces, bridge, veth pairs, addresses, `lo` up. The owner (this process) is
 * recorded before the first namespace exists; on any failure everything made so far is removed.
 * Takes about 50 ms per namespace.
 * @throws UserError when not root or a tool is missing; Error on bad node ids or a taken id;
 *   CommandError when a step fails (after cleaning up).
 */
export async function createLab(opts: LabOptions): Promise<Lab> {
  ensureRoot();
  const nodes = [...opts.nodes];
  const problem = labNodesProblem(nodes);
  if (problem) throw new Error(problem);
  const id = opts.id ?? newLabId();
  if (!ID.test(id)) throw new Error(`lab id must be 6 hex digits, got '${id}'`);
  const stateDir = join(LAB_STATE_ROOT, id);
  mkdirSync(LAB_STATE_ROOT, { recursive: true });
  try {
    mkdirSync(stateDir); // Not recursive: an existing directory means the id is taken.
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(`lab ${id} already exists`);
    throw err;
  }
  try {
    writeFileSync(join(stateDir, 'owner.pid'), `${process.pid} ${processStartTime(process.pid) ?? ''}\n`);
    const octet = claimSubnet(id);
    const net = `${RANGE_PREFIX}.${octet}`;
    const host = (name: string, index: number, hostPart: number): LabHost => ({
      ns: `fl-${id}-${name}`,
      address: `${net}.${hostPart}`,
      iface: 'eth0',
      port: `fl${id}p${index}`,
    });
    const lab: Lab = {
      id,
      subnet: `${net}.0/24`,
      switchNs: `fl-${id}-sw`,
      bridge: `fl${id}br`,
      control: { ...host('ctl', 0, CONTROL_HOST), port: `fl${id}pc` },
      nodes: Object.fromEntries(nodes.map((n, i) => [n, host(n, i + 1, i + 1)])),
      stateDir,
    };
    writeFileSync(join(stateDir, 'lab.json'), `${JSON.stringify(lab, null, 2)}\n`);
    await build(lab);
    return lab;
  } catch (err) {
    await destroyLab(id);
    throw err;
  }
}

/** Namespaces, then the bridge, then one veth per host, then the bridge ports. */
async function build(lab: Lab): Promise<void> {
  const hosts = [lab.control, ...Object.values(lab.nodes)];
  // One at a time: the first `ip netns add` sets up the /run/netns mount, and racing that fails.
  for (const ns of [lab.switchNs, ...hosts.map((h) => h.ns)]) await ipNetns(['add', ns]);
  await ipBatchIn(lab.switchNs, [
    'link set lo up',
    `link add ${lab.bridge} type bridge`,
    `link set ${lab.bridge} addrgenmode none`,
    `link set ${lab.bridge} up`,
  ]);
  await Promise.all(
    hosts.map((h) =>
      ipBatchIn(h.ns, [
        'link set lo up',
        // Born in the host namespace, peer born in the switch namespace: never in the root one.
        `link add ${h.iface} type veth peer name ${h.port} netns ${lab.switchNs}`,
        // No IPv6 link-local address: all lab traffic is the IPv4 the partitions filter.
        `link set ${h.iface} addrgenmode none`,
        `addr add ${h.address}/24 dev ${h.iface}`,
        `link set ${h.iface} up`,
      ]),
    ),
  );
  await ipBatchIn(
    lab.switchNs,
    hosts.flatMap((h) => [`link set ${h.port} addrgenmode none`, `link set ${h.port} master ${lab.bridge}`, `link set ${h.port} up`]),
  );
}

/** Claim a free 10.200.X.0/24 (an O_EXCL file per X), starting at a random X. */
function claimSubnet(id: string): number {
  mkdirSync(CLAIMS_DIR, { recursive: true });
  const start = randomBytes(1)[0] as number;
  for (let i = 0; i < 256; i++) {
    const octet = (start + i) % 256;
    let fd: number;
    try {
      fd = openSync(join(CLAIMS_DIR, String(octet)), 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw err;
    }
    writeSync(fd, `${id}\n`);
    closeSync(fd);
    return octet;
  }
  throw new Error(`no free /24 left in ${RANGE_PREFIX}.0.0/16 (run \`faultline clean\` to remove dead labs)`);
}

/** The lab recorded under /run/faultline/<id>, if any. */
export function readLab(id: string): Lab | undefined {
  if (!ID.test(id)) return undefined;
  try {
    return JSON.parse(readFileSync(join(LAB_STATE_ROOT, id, 'lab.json'), 'utf8')) as Lab;
  } catch {
    return undefined;
  }
}

/** Every namespace whose name marks it as faultline's, by lab id. */
export async function labNamespaces(): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const line of (await ipNetns(['list'])).split('\n')) {
    const name = line.trim().split(/\s+/)[0] ?? '';
    const id = LAB_NS.exec(name)?.[1];
    if (id) out.set(id, [...(out.get(id) ?? []), name]);
  }
  return out;
}

/** Options for {@link destroyLab}. */
export interface DestroyOptions {
  /** SIGKILL processes still inside the lab's namespaces (not this process). Default true. */
  killProcesses?: boolean;
}

/**
 * Remove a lab: kill what still runs inside it, delete its namespaces (which takes every veth,
 * the bridge, and every nft, iptables and tc rule with them), its subnet claim and its state
 * directory. Idempotent: anything already gone is skipped.
 * @throws CommandError when a namespace exists but cannot be deleted (after trying all of them).
 */
export async function destroyLab(id: string, opts: DestroyOptions = {}): Promise<void> {
  if (!ID.test(id)) throw new Error(`lab id must be 6 hex digits, got '${id}'`);
  const namespaces = (await labNamespaces()).get(id) ?? [];
  const errors: unknown[] = [];
  if (opts.killProcesses ?? true) {
    for (const ns of namespaces) {
      const pids = await ipNetns(['pids', ns]).catch(() => '');
      for (const pid of pids.split(/\s+/).filter(Boolean).map(Number)) {
        if (pid !== process.pid) signalQuietly(pid, 'SIGKILL');
      }
    }
  }
  for (const ns of namespaces) {
    try {
      await ipNetns(['del', ns]);
    } catch (err) {
      const gone = err instanceof CommandError && /No such file/.test(err.stderr);
      if (!gone) errors.push(err);
    }
  }
  releaseClaims(id);
  if (errors.length > 0) throw errors[0];
  rmSync(join(LAB_STATE_ROOT, id), { recursive: true, force: true });
}

function releaseClaims(id: string): void {
  let names: string[];
  try {
    names = readdirSync(CLAIMS_DIR);
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(CLAIMS_DIR, name);
    try {
      if (readFileSync(path, 'utf8').trim() === id) rmSync(path, { force: true });
    } catch {
      // Released by someone else meanwhile.
    }
  }
}

/**
 * Labs whose owner process is gone (or was never recorded): their namespaces, or only their
 * state directory. A lab being built right now has a live owner and is not listed.
 */
export async function listLeftoverLabs(): Promise<LeftoverLab[]> {
  const byId = await labNamespaces();
  let dirs: string[] = [];
  try {
    dirs = readdirSync(LAB_STATE_ROOT).filter((name) => ID.test(name));
  } catch {
    // No state root yet.
  }
  const ids = [...new Set([...byId.keys(), ...dirs])].sort();
  const out: LeftoverLab[] = [];
  for (const id of ids) {
    const owner = readOwner(id);
    if (owner ? identityAlive(owner) : justCreated(id)) continue;
    out.push({ id, namespaces: byId.get(id) ?? [], ...(owner ? { ownerPid: Number(harnessPid(owner)) } : {}) });
  }
  return out;
}

/**
 * Make process `pid` the owner of lab `id`, so the lab lives as long as that process does (a
 * user's lab such as `faultline lab ssh up` builds hands itself to a daemon it runs).
 */
export function handOverLab(id: string, pid: number): void {
  writeFileSync(join(LAB_STATE_ROOT, id, 'owner.pid'), `${pid} ${processStartTime(pid) ?? ''}\n`);
}

/**
 * Destroy every leftover lab; resolves with the ids removed and one line per lab that could not
 * be (one that cannot go does not keep the others).
 */
export async function cleanupLeftoverLabs(): Promise<{ removed: string[]; problems: string[] }> {
  const removed: string[] = [];
  const problems: string[] = [];
  for (const { id } of await listLeftoverLabs()) {
    try {
      await destroyLab(id);
      removed.push(id);
    } catch (err) {
      problems.push(`cannot remove netns lab ${id}: ${(err as Error).message}`);
    }
  }
  return { removed, problems };
}

/**
 * The lab's owner as `<pid> <start>` (src/process-identity.ts: the start time, in clock ticks
 * since boot, guards against pid reuse), or undefined when its file is missing or unreadable.
 */
function readOwner(id: string): string | undefined {
  try {
    const owner = readFileSync(join(LAB_STATE_ROOT, id, 'owner.pid'), 'utf8').trim();
    return /^[1-9]\d*( \d*)?$/.test(owner) ? owner : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the state directory of `id` was made moments ago (its owner file may be on its way). */
function justCreated(id: string): boolean {
  try {
    return Date.now() - statSync(join(LAB_STATE_ROOT, id)).mtimeMs < CREATING_GRACE_MS;
  } catch {
    return false;
  }
}
