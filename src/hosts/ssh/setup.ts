/**
 * Setting up the hosts of one `--hosts ssh` run: log in to every host (one connection each), look
 * around (Node.js, the directory, the harness's address as the host sees it), remove what dead
 * runs left there, make the run's directory, upload the compiled node code unless the host has
 * it, probe netem, start the fault proxies, and place every node (its plan as it sees its host).
 * Whatever fails, what was made is removed before the error goes on.
 */
import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { CommandLaunch, NodeLaunch, NodePlan } from '../../api/cluster.js';
import type { HostRequest } from '../../api/host.js';
import type { ShapeField } from '../../net/netns/proxy-control.js';
import { proxyPeerAddress } from '../../net/netns/proxy-control.js';
import { HARNESS_ENV, processIdentity } from '../../process-identity.js';
import { UserError } from '../../user-error.js';
import { faketimeEnv } from '../local/faketime.js';
import { RUN_ENV } from '../local/local-cluster.js';
import { shq, SshConnection } from './connection.js';
import type { SshInventory } from './inventory.js';
import { readKnownHosts } from './known-hosts.js';
import { cleanDeadRuns, removeRun } from './leftovers.js';
import { remoteNodeFiles, type RemoteNode } from './remote-cluster.js';
import { harnessMark, hostFacts, runDirOn, type HostFacts } from './remote-host.js';
import { PROXY_SCRIPT, RemoteProxies } from './remote-proxies.js';
import type { NetHost } from './ssh-net.js';
import { bundledFiles, ensureTree, treeHash, type RemoteTree } from './tree.js';

/** Ports nodes listen on; each node has a host (an address) of its own. */
export const SSH_PEER_PORT = 7000;
export const SSH_CLIENT_PORT = 7001;

/** One host, logged in and prepared. */
export interface PreparedHost {
  node: string;
  conn: SshConnection;
  facts: HostFacts;
  /** The node's IPv4 address. */
  address: string;
  runDir: string;
  tree?: RemoteTree;
  netem: boolean;
  /** libfaketime on the host, for `clock: 'faketime'` systems. */
  libfaketime?: string;
}

/** Open a connection to every host; all or none. @throws the first host's one-line UserError. */
export async function connectAll(inv: SshInventory, signal: AbortSignal): Promise<SshConnection[]> {
  const trust = { file: inv.knownHosts, text: readKnownHosts(inv.knownHosts), strict: inv.strictHostKeys };
  const conns = inv.hosts.map((h) => new SshConnection(h, trust));
  const opened = await Promise.allSettled(conns.map((c) => c.open()));
  const failed = opened.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed || signal.aborted) {
    await Promise.all(conns.map((c) => c.close()));
    throw failed ? failed.reason : new Error('interrupted while connecting');
  }
  return conns;
}

async function ipv4(address: string, node: string): Promise<string> {
  if (isIP(address) === 4) return address;
  try {
    return (await lookup(address, { family: 4 })).address;
  } catch (err) {
    throw new UserError(`host ${node}: cannot resolve ${address} to an IPv4 address (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

/** Whether `tc netem` works on the host (root needed): a netem qdisc added to and removed from lo. */
async function probeNetem(conn: SshConnection, facts: HostFacts): Promise<boolean> {
  if (!facts.root && !conn.host.sudo) return false;
  const probe = await conn.exec('tc qdisc add dev lo root netem delay 0ms && tc qdisc del dev lo root', { root: true });
  return probe.code === 0;
}

/** Where libfaketime is on the host, or '' when it has none. */
export async function libfaketimeOn(conn: SshConnection): Promise<string> {
  return (await conn.exec('ls /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1 /usr/local/lib/faketime/libfaketime.so.1 2>/dev/null | head -1')).stdout.trim();
}

async function findLibfaketime(conn: SshConnection): Promise<string> {
  const found = await libfaketimeOn(conn);
  if (!found) throw new UserError(`host ${conn.host.name} has no libfaketime, which this system's clock skew needs: apt-get install libfaketime there`);
  return found;
}

/** Log in facts, dead runs removed, the run's directory made: every host in parallel. */
export async function prepareHosts(conns: readonly SshConnection[], runId: string, faketime: boolean, note: (text: string) => void): Promise<PreparedHost[]> {
  return Promise.all(
    conns.map(async (conn): Promise<PreparedHost> => {
      const facts = await hostFacts(conn, true);
      const cleaned = await cleanDeadRuns(conn, facts.base);
      for (const line of cleaned.removed) note(line);
      const runDir = runDirOn(facts.base, runId);
      await conn.run(`mkdir -p ${shq(`${runDir}/data`)} && printf '%s\\n' ${shq(harnessMark())} > ${shq(`${runDir}/harness`)}`, 'making the run directory');
      const [address, netem] = await Promise.all([ipv4(conn.host.address, conn.host.name), probeNetem(conn, facts)]);
      return {
        node: conn.host.name,
        conn,
        facts,
        address,
        runDir,
        netem,
        ...(faketime && { libfaketime: await findLibfaketime(conn) }),
      };
    }),
  );
}

/** A fresh run id: 8 hex digits (names the run's directory and nft table on every host). */
export function newRunId(): string {
  return randomBytes(4).toString('hex');
}

/** Every node's plan, as its host sees it. */
export function plans(req: HostRequest, hosts: readonly PreparedHost[]): NodePlan[] {
  const nodes = req.spec.nodes;
  return hosts.map((h, index) => {
    const f = remoteNodeFiles(h.runDir);
    return {
      id: h.node,
      index,
      nodes,
      dataDir: f.data,
      peerListen: `${h.address}:${SSH_PEER_PORT}`,
      clientListen: `${h.address}:${SSH_CLIENT_PORT}`,
      peers: Object.fromEntries(nodes.filter((p) => p !== h.node).map((p) => [p, proxyPeerAddress(nodes, h.node, p)])),
      clockFile: f.clock,
      bugs: req.spec.bugs,
      options: req.spec.clusterOptions,
    };
  });
}

/** Upload the compiled files of `launches` and the fault proxy to every host; nothing where the host has them. */
export async function uploadTrees(hosts: PreparedHost[], launches: readonly NodeLaunch[]): Promise<void> {
  const scripts = launches.flatMap((l) => ('script' in l ? [l.script] : []));
  const files = bundledFiles([...new Set([...scripts, PROXY_SCRIPT])]);
  const hash = treeHash(files);
  await Promise.all(hosts.map(async (h) => (h.tree = await ensureTree(h.conn, h.facts.base, files, hash))));
}

/** A node's command on its host: a bundled script with the host's Node.js, else the command as is; plus run markers and libfaketime. */
export function remoteLaunch(req: HostRequest, host: PreparedHost, launch: NodeLaunch, clockFile: string): CommandLaunch {
  const own: CommandLaunch = 'script' in launch
    ? { command: host.conn.host.node, args: [`${host.tree?.dir}/${launch.script}`, ...launch.args], ...(launch.env && { env: launch.env }) }
    : launch;
  const faketime = host.libfaketime ? faketimeEnv(clockFile, own.env?.LD_PRELOAD, host.libfaketime) : {};
  return { ...own, env: { ...own.env, ...faketime, [RUN_ENV]: req.dirs.run, [HARNESS_ENV]: processIdentity() } };
}

/** Start the fault proxies: bandwidth always, delays too unless every host has netem. */
export async function startProxies(req: HostRequest, hosts: readonly PreparedHost[], netem: boolean, warn: (text: string) => void): Promise<RemoteProxies> {
  const keep: ShapeField[] = netem ? ['bytesPerSecond'] : ['latencyMs', 'jitterMs', 'bytesPerSecond'];
  const targets = Object.fromEntries(hosts.map((h) => [h.node, `${h.address}:${SSH_PEER_PORT}`]));
  const proxyHosts = hosts.map((h) => ({ node: h.node, conn: h.conn, command: [h.conn.host.node, `${h.tree?.dir}/${PROXY_SCRIPT}`] }));
  const proxies = new RemoteProxies(proxyHosts, targets, req.spec.seed, keep, warn);
  try {
    await proxies.start();
  } catch (err) {
    await proxies.close();
    throw err;
  }
  return proxies;
}

/** Where netem is used: each host's output device towards each peer's address. */
export async function routeDevices(hosts: readonly PreparedHost[]): Promise<Map<string, Record<string, string>>> {
  const out = new Map<string, Record<string, string>>();
  await Promise.all(
    hosts.map(async (h) => {
      const peers = hosts.filter((p) => p !== h).map((p) => p.address);
      const text = await h.conn.run(peers.map((a) => `printf '%s ' ${a}; ip -o route get ${a}`).join('; '), 'finding the routes to the peers');
      const devices: Record<string, string> = {};
      for (const line of text.split('\n')) {
        const [addr] = line.split(' ');
        const dev = / dev (\S+)/.exec(line)?.[1];
        if (addr && dev) devices[addr] = dev;
      }
      out.set(h.node, devices);
    }),
  );
  return out;
}

/** The network's view of the hosts. */
export function netHosts(hosts: readonly PreparedHost[], devices: ReadonlyMap<string, Record<string, string>> | undefined): NetHost[] {
  return hosts.map((h) => ({
    node: h.node,
    conn: h.conn,
    address: h.address,
    harnessAddress: h.facts.harnessAddress,
    runDir: h.runDir,
    ...(devices?.get(h.node) && { devices: devices.get(h.node) }),
  }));
}

/** Remove the run from every host it was made on, then close the connections; throws the first failure after trying all. */
export async function removeRunEverywhere(hosts: readonly PreparedHost[], conns: readonly SshConnection[], runId: string): Promise<void> {
  const results = await Promise.allSettled(hosts.map((h) => removeRun(h.conn, h.facts.base, runId)));
  await Promise.all(conns.map((c) => c.close()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

export type { RemoteNode };
