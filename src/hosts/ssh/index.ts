/**
 * `--hosts ssh`: nodes on real machines reached over SSH (ssh2), Jepsen's classic mode. Each
 * node gets a host of its own, named in a hosts file or by `--nodes a.example,b.example`. The
 * backend uploads the compiled node code it needs (./tree.ts), runs each node as a daemon there
 * (./remote-cluster.ts), copies the logs back as they grow, and makes faults on the hosts
 * themselves (./ssh-net.ts: nft rules, the fault proxy or netem, clock files). Against a lab of
 * `faultline lab ssh up` (./lab.ts) the harness side runs in the lab's control namespace
 * (./enclave.ts); against real hosts it runs in place.
 */
import type { SystemDef } from '../../api/cluster.js';
import type { HostBackend, HostCleaner, HostRequest, Hosts, HostSpec, Lacks } from '../../api/host.js';
import { UserError } from '../../user-error.js';
import { SshConnection } from './connection.js';
import { assertInLab, sshEnclave } from './enclave.js';
import { inventoryNames, resolveInventory, SSH_OPTIONS } from './inventory.js';
import { readKnownHosts } from './known-hosts.js';
import { sshLab } from './lab.js';
import { cleanDeadRuns, removeRun } from './leftovers.js';
import { RemoteCluster } from './remote-cluster.js';
import { hostFacts } from './remote-host.js';
import type { RemoteProxies } from './remote-proxies.js';
import {
  connectAll,
  libfaketimeOn,
  netHosts,
  newRunId,
  plans,
  prepareHosts,
  remoteLaunch,
  removeRunEverywhere,
  routeDevices,
  startProxies,
  SSH_CLIENT_PORT,
  uploadTrees,
  type PreparedHost,
} from './setup.js';
import { SshNet } from './ssh-net.js';

function note(text: string): void {
  process.stderr.write(`faultline: ${text}\n`);
}

async function setUp(req: HostRequest): Promise<Hosts> {
  const inv = resolveInventory(req.spec.nodes, req.spec.hostOptions);
  if (inv.lab !== undefined) assertInLab(inv.lab);
  const conns = await connectAll(inv, req.signal);
  const runId = newRunId();
  const settled = await Promise.allSettled([prepareHosts(conns, runId, req.system.clock === 'faketime', note)]);
  if (settled[0].status === 'rejected') {
    // Some hosts may have the run's directory already: remove it wherever a base is known.
    await Promise.allSettled(conns.map(async (c) => removeRun(c, (await hostFacts(c, false)).base, runId)));
    await Promise.all(conns.map((c) => c.close()));
    throw settled[0].reason;
  }
  const hosts: PreparedHost[] = settled[0].value;
  let proxies: RemoteProxies | undefined;
  try {
    const nodePlans = plans(req, hosts);
    const launches = nodePlans.map((plan) => req.system.launch(plan));
    await uploadTrees(hosts, launches);
    const netem = hosts.every((h) => h.netem);
    const devices = netem ? await routeDevices(hosts) : undefined;
    proxies = await startProxies(req, hosts, netem, note);
    req.signal.throwIfAborted();
    const cluster = new RemoteCluster({
      system: req.system,
      nodes: hosts.map((h, i) => {
        const plan = nodePlans[i] as (typeof nodePlans)[number];
        const placed = { plan, clientAddress: `${h.address}:${SSH_CLIENT_PORT}`, logFile: req.dirs.logFile(h.node) };
        return { placed, conn: h.conn, runDir: h.runDir, launch: remoteLaunch(req, h, launches[i] as (typeof launches)[number], plan.clockFile) };
      }),
      onCrash: req.onCrash,
      warn: note,
    });
    const net = new SshNet(netHosts(hosts, devices), runId, proxies, netem);
    const running = proxies;
    let down: Promise<void> | undefined;
    return {
      cluster,
      net,
      describe: () => ({
        ...net.describe(),
        hosts: Object.fromEntries(
          hosts.map((h) => [
            h.node,
            { ssh: h.conn.where, base: h.facts.base, node: h.facts.nodeVersion, netem: h.netem, tree: h.tree?.dir, uploaded: h.tree?.uploaded ?? 0 },
          ]),
        ),
      }),
      tearDown: () =>
        (down ??= (async () => {
          const steps = await Promise.allSettled([cluster.teardown(), net.heal()]);
          await running.close();
          await removeRunEverywhere(hosts, conns, runId);
          const failed = steps.find((r): r is PromiseRejectedResult => r.status === 'rejected');
          if (failed) throw failed.reason;
        })()),
    };
  } catch (err) {
    await proxies?.close();
    await removeRunEverywhere(hosts, conns, runId).catch(() => undefined);
    throw err;
  }
}

/**
 * Before a run (HostBackend.lacks): log in to every host and look around, so an unreachable host,
 * a refused key, a changed host key, a missing Node.js or sudo right is one line and exit 2
 * before anything is made; and say that clock skew of a libfaketime system needs libfaketime.
 */
async function preflight(spec: HostSpec, system: SystemDef): Promise<Lacks> {
  const inv = resolveInventory(spec.nodes, spec.hostOptions);
  if (inv.lab !== undefined) assertInLab(inv.lab);
  const conns = await connectAll(inv, new AbortController().signal);
  try {
    await Promise.all(conns.map((c) => hostFacts(c, true)));
    if (system.clock !== 'faketime') return {};
    const without = (await Promise.all(conns.map(async (c) => ((await libfaketimeOn(c)) ? [] : [c.host.name])))).flat();
    return without.length === 0 ? {} : { clock: `libfaketime on every host (${without.join(', ')} lack it: apt-get install libfaketime there)` };
  } finally {
    await Promise.all(conns.map((c) => c.close()));
  }
}

/** `faultline clean --hosts-file ...`: what dead runs left on each host of the file. */
const sshCleaner: HostCleaner = {
  name: 'ssh hosts',
  unavailable: () => undefined,
  async clean(options) {
    if (options['hosts-file'] === undefined) return { removed: [], problems: [] };
    const inv = resolveInventory(inventoryNames(options) ?? [], options);
    if (inv.lab !== undefined) assertInLab(inv.lab);
    const trust = { file: inv.knownHosts, text: readKnownHosts(inv.knownHosts), strict: inv.strictHostKeys };
    const reports = await Promise.all(
      inv.hosts.map(async (host) => {
        const conn = new SshConnection(host, trust);
        try {
          await conn.open();
          return await cleanDeadRuns(conn, (await hostFacts(conn, false)).base);
        } catch (err) {
          return { removed: [], problems: [(err as Error).message] };
        } finally {
          await conn.close();
        }
      }),
    );
    return { removed: reports.flatMap((r) => r.removed), problems: reports.flatMap((r) => r.problems) };
  },
};

export const sshHosts: HostBackend = {
  name: 'ssh',
  description: 'nodes on real machines over SSH: code uploaded over SFTP, nodes run as daemons, faults as nft rules on each host (Jepsen style)',
  nets: { host: 'partitions and loss as nft rules on each host, latency by netem where the hosts have it, else a fault proxy on each host' },
  // Every option says how to reach the hosts, which `faultline clean` needs too.
  options: Object.fromEntries(Object.entries(SSH_OPTIONS).map(([name, describe]) => [name, { describe, clean: true }])),
  inventory: (options) => inventoryNames(options),
  check(spec) {
    if (spec.net !== 'host') throw new UserError(`--hosts ssh has no --net ${spec.net}: its network is the hosts' own (--net host)`);
    if (spec.hostOptions['hosts-file'] === undefined && spec.nodes.every((n, i) => n === `n${i + 1}`)) {
      throw new UserError('--hosts ssh needs to know the machines: give --hosts-file <file>, or --nodes host1,host2,... with --ssh-user and --ssh-key');
    }
    resolveInventory(spec.nodes, spec.hostOptions);
  },
  lacks: preflight,
  enclave: sshEnclave,
  setUp,
  cleaners: [sshCleaner],
  lab: sshLab,
};
